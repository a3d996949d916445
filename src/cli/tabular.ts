/**
 * Reading labelled text data: CSV (RFC 4180), TSV and JSON Lines, with
 * errors that name the file and line.
 *
 *   bytes -> UTF-8 text   strict: invalid UTF-8 is an error at its line; a
 *                         UTF-8 byte-order mark is dropped; UTF-16 is refused
 *   .csv / .tsv           first record = header. Fields separated by ',' (tab
 *                         for .tsv); a field in double quotes may hold the
 *                         separator, newlines and "" (one quote); records end
 *                         in LF or CRLF; blank lines are skipped; every record
 *                         must have as many fields as the header
 *   .jsonl / .ndjson      one JSON object per line; strings and numbers are
 *                         read as text; blank lines are skipped
 *
 * Line numbers are 1-based physical lines of the file: a record that spans
 * lines (a quoted newline) is reported at the line it starts on.
 */
import { at } from './errors.js';

export type TableFormat = 'csv' | 'tsv' | 'jsonl';

export interface Table {
  file: string;
  format: TableFormat;
  /** header names (CSV/TSV), or every key seen (JSONL) in first-seen order */
  columns: string[];
  /** one per record */
  rows: Record<string, string | undefined>[];
  /** the line each record starts on */
  lines: number[];
}

export function formatOf(file: string): TableFormat | null {
  const m = /\.(csv|tsv|tab|jsonl|ndjson)$/i.exec(file);
  if (!m) return null;
  const ext = m[1].toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'tsv' || ext === 'tab' ? 'tsv' : 'jsonl';
}

/** Parse a data file's bytes; `file` names it in errors and picks the format by extension. */
export function parseTable(file: string, bytes: Uint8Array, format: TableFormat | null = formatOf(file)): Table {
  if (!format) throw at(file, null, 'unknown data format: use a .csv, .tsv or .jsonl file');
  const text = decodeUtf8(file, bytes);
  return format === 'jsonl' ? parseJsonl(file, text) : parseDelimited(file, text, format === 'tsv' ? '\t' : ',', format);
}

/** Strict UTF-8; the error names the line of the first bad byte. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw at(file, 1, 'the file is UTF-16 encoded; save it as UTF-8');
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    const bad = firstInvalidUtf8(bytes, start);
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
    const hex = bytes[bad]?.toString(16).padStart(2, '0') ?? 'end of file';
    throw at(file, line, `not valid UTF-8 (byte 0x${hex} at offset ${bad}); re-save the file as UTF-8`);
  }
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
function firstInvalidUtf8(b: Uint8Array, from: number): number {
  let i = from;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function parseDelimited(file: string, text: string, sep: string, format: TableFormat): Table {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1; // current physical line
  let recordLine = 1;
  let i = 0;
  let atFieldStart = true;
  let blank = true; // the record so far is an empty line
  const n = text.length;
  const endRecord = () => {
    if (!(blank && fields.length === 0 && field === '')) {
      fields.push(field);
      records.push({ fields, line: recordLine });
    }
    fields = [];
    field = '';
    atFieldStart = true;
    blank = true;
  };
  while (i < n) {
    const c = text[i];
    if (atFieldStart && c === '"') {
      // quoted field: up to the closing quote; "" is a quote
      const open = line;
      i++;
      blank = false;
      for (;;) {
        if (i >= n) throw at(file, open, 'a quoted field is never closed (missing ")');
        const d = text[i];
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      const next = text[i];
      if (i < n && next !== sep && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
        throw at(
          file,
          line,
          `unexpected ${JSON.stringify(next)} after a closing quote (a quote inside a quoted field must be doubled: "")`,
        );
      }
      atFieldStart = false;
      continue;
    }
    if (c === sep) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      blank = false;
      i++;
      continue;
    }
    if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      i += c === '\r' ? 2 : 1;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    atFieldStart = false;
    blank = false;
    i++;
  }
  endRecord();
  if (records.length === 0) throw at(file, null, 'the file is empty (expected a header line, then data)');
  const header = records[0].fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h) => {
    if (h === '') throw at(file, records[0].line, 'the header has an empty column name');
    if (seen.has(h)) throw at(file, records[0].line, `the header names column ${JSON.stringify(h)} twice`);
    seen.add(h);
  });
  const rows: Record<string, string | undefined>[] = [];
  const lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.length) {
      throw at(
        file,
        r.line,
        `${r.fields.length} field${r.fields.length === 1 ? '' : 's'} but the header has ${header.length} (${header.join(', ')})` +
          (sep === ',' ? '; quote fields that contain commas' : ''),
      );
    }
    const row: Record<string, string | undefined> = Object.create(null);
    header.forEach((h, k) => (row[h] = r.fields[k]));
    rows.push(row);
    lines.push(r.line);
  }
  return { file, format, columns: header, rows, lines };
}

function parseJsonl(file: string, text: string): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: Record<string, string | undefined>[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((raw, k) => {
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (s.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      throw at(file, k + 1, `invalid JSON (${(e as Error).message})`);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw at(file, k + 1, 'each line must be a JSON object like {"text": "...", "label": "..."}');
    const row: Record<string, string | undefined> = Object.create(null);
    for (const [key, val] of Object.entries(v)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
      if (typeof val === 'string') row[key] = val;
      else if (typeof val === 'number' || typeof val === 'boolean') row[key] = String(val);
      else if (val !== null) row[key] = JSON.stringify(val);
    }
    rows.push(row);
    lines.push(k + 1);
  });
  if (rows.length === 0) throw at(file, null, 'the file has no records (expected one JSON object per line)');
  return { file, format: 'jsonl', columns, rows, lines };
}

/**
 * One column as text, every record required to have it non-empty: a missing
 * column is an error naming the columns there are, an empty value one naming
 * its line.
 */
export function column(table: Table, name: string, what: string): string[] {
  if (!table.columns.includes(name)) {
    const line = table.format === 'jsonl' ? null : 1;
    throw at(table.file, line, `no ${what} column ${JSON.stringify(name)} (columns: ${table.columns.join(', ') || 'none'})`);
  }
  return table.rows.map((r, i) => {
    const v = r[name];
    if (v === undefined) throw at(table.file, table.lines[i], `the record has no ${JSON.stringify(name)} field`);
    if (v.trim() === '') throw at(table.file, table.lines[i], `empty ${what} in column ${JSON.stringify(name)}`);
    return v;
  });
}
