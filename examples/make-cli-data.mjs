// Data files for the CLI walkthrough (examples/cli-walkthrough.sh), written to
// examples/out/: the Brown topic passages as CSV (text, label, doc), split by
// document into topics-train.csv and topics-test.csv, and romance.txt, plain
// prose for a character language model.
import { mkdirSync, writeFileSync } from 'node:fs';
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
const romance = brownSamples().filter((s) => s.genre === 'romance').map((s) => brownParagraphs(s.id).join('\n')).join('\n\n');
writeFileSync(join(out, 'romance.txt'), romance);
console.log(`wrote ${out}/topics-train.csv (${train.length + validation.length} rows), topics-test.csv (${test.length} rows), romance.txt (${romance.length} characters)`);
