/** The CSV/TSV/JSONL reader: RFC 4180 quoting, BOM, CRLF, strict UTF-8, errors with file and line. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/errors.js';
import { column, parseTable } from '../../src/cli/tabular.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const fails = (f: () => unknown, msg: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  expect((err as Error).message).toMatch(msg);
  expect((err as Error).message).not.toContain('\n');
};

describe('CSV', () => {
  it('quoted fields hold commas, newlines and doubled quotes; CRLF and a BOM are fine', () => {
    const csv = '\uFEFFtext,label\r\n"Hello, ""world""",a\r\n"two\nlines",b\r\n\r\nplain,c\r\n';
    const t = parseTable('d.csv', bytes(csv));
    expect(t.columns).toEqual(['text', 'label']);
    expect(column(t, 'text', 'text')).toEqual(['Hello, "world"', 'two\nlines', 'plain']);
    expect(column(t, 'label', 'label')).toEqual(['a', 'b', 'c']);
    expect(t.lines).toEqual([2, 3, 6]); // the record with a newline spans lines 3-4; line 5 is blank
  });

  it('TSV by extension, no trailing newline, empty last field', () => {
    const t = parseTable('d.tsv', bytes('text\tlabel\tnote\nsome text\tx\t'));
    expect(t.rows[0]).toEqual({ text: 'some text', label: 'x', note: '' });
  });

  it('errors name the file and the line', () => {
    fails(() => parseTable('d.csv', bytes('text,label\nok,a\n"never closed,b\nmore,c\n')), /^d\.csv:3: a quoted field is never closed/);
    fails(
      () => parseTable('d.csv', bytes('text,label\nok,a\none,two,three\n')),
      /^d\.csv:3: 3 fields but the header has 2 \(text, label\); quote fields/,
    );
    fails(() => parseTable('d.csv', bytes('text,label\n"a"b,c\n')), /^d\.csv:2: unexpected "b" after a closing quote/);
    fails(() => parseTable('d.csv', bytes('text,text\n')), /^d\.csv:1: the header names column "text" twice/);
    fails(() => parseTable('d.csv', bytes('')), /^d\.csv: the file is empty/);
    fails(() => parseTable('d.txt', bytes('x')), /^d\.txt: unknown data format/);
  });

  it('missing columns and empty values are reported where they are', () => {
    const t = parseTable('d.csv', bytes('body,label\nfine,a\n  ,b\n'));
    fails(() => column(t, 'text', 'text'), /^d\.csv:1: no text column "text" \(columns: body, label\)/);
    fails(() => column(t, 'body', 'text'), /^d\.csv:3: empty text in column "body"/);
  });
});

describe('encoding', () => {
  it('invalid UTF-8 is an error at its line; UTF-16 is refused', () => {
    const bad = new Uint8Array([...bytes('text,label\nok,a\ncaf'), 0xe9, ...bytes(',b\n')]); // Latin-1 é
    fails(() => parseTable('l1.csv', bad), /^l1\.csv:3: not valid UTF-8 \(byte 0xe9 at offset 19\)/);
    const overlong = new Uint8Array([...bytes('text\n'), 0xc0, 0xaf, 0x0a]);
    fails(() => parseTable('o.csv', overlong), /^o\.csv:2: not valid UTF-8 \(byte 0xc0/);
    fails(() => parseTable('u16.csv', new Uint8Array([0xff, 0xfe, 0x74, 0x00])), /^u16\.csv:1: the file is UTF-16/);
    // valid multi-byte text passes
    expect(parseTable('ok.csv', bytes('text\ncafé 😀 日本\n')).rows[0].text).toBe('café 😀 日本');
  });
});

describe('JSONL', () => {
  it('one object per line; numbers become text; blank lines skipped', () => {
    const t = parseTable('d.jsonl', bytes('{"text":"a b","label":1}\n\n{"text":"c","label":"x","extra":[1]}\r\n'));
    expect(t.columns).toEqual(['text', 'label', 'extra']);
    expect(column(t, 'label', 'label')).toEqual(['1', 'x']);
    expect(t.lines).toEqual([1, 3]);
  });

  it('errors name the line', () => {
    fails(() => parseTable('d.jsonl', bytes('{"text":"a"}\n{"text": oops}\n')), /^d\.jsonl:2: invalid JSON/);
    fails(() => parseTable('d.jsonl', bytes('["text"]\n')), /^d\.jsonl:1: each line must be a JSON object/);
    const t = parseTable('d.jsonl', bytes('{"text":"a","label":"x"}\n{"label":"y"}\n'));
    fails(() => column(t, 'text', 'text'), /^d\.jsonl:2: the record has no "text" field/);
    fails(() => column(t, 'body', 'text'), /^d\.jsonl: no text column "body" \(columns: text, label\)/);
  });
});
