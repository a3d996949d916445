/**
 * The wasm-rnn command line, run in-process through main(argv, io): the happy
 * path (train -> predict -> evaluate, tune, train-lm -> generate) on small
 * real data (Brown corpus paragraphs), every bad input of the issue (missing
 * columns, empty texts, one class, invalid UTF-8, a model file that is not
 * ours) as exit 1 with ONE line naming file and line, usage mistakes
 * (non-numeric and out-of-range option values included) as exit 2, and nothing
 * half-written when a command fails. One test spawns the built bin (test/build/global_setup.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { brownParagraphs, brownSamples } from '../../examples/lib/brown.mjs';

let dir: string;
const p = (f: string) => join(dir, f);

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

/** A user error: exit 1 and exactly one line on stderr matching `msg`. */
async function userError(argv: string[], msg: RegExp) {
  const r = await run(...argv);
  expect(r.code, r.err).toBe(1);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(msg);
  expect(r.out).toBe('');
}

/** A usage error (the command line itself, option values included): exit 2, one line matching `msg`, pointing to --help. */
async function usageError(argv: string[], msg: RegExp) {
  const r = await run(...argv);
  expect(r.code, r.err).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(msg);
  expect(r.err).toMatch(/\(see wasm-rnn \S+ --help\)$/m);
  expect(r.out).toBe('');
}

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-cli-'));
  const rows: string[] = [];
  const jsonl: string[] = [];
  for (const genre of ['news', 'religion', 'romance']) {
    const paras = brownSamples()
      .filter((s) => s.genre === genre)
      .slice(0, 3)
      .flatMap((s) => brownParagraphs(s.id).map((t) => ({ t, doc: s.id })));
    for (const { t, doc } of paras.filter((q) => q.t.length > 100).slice(0, 16)) {
      rows.push(`${csvField(t.slice(0, 300))},${genre}`);
      jsonl.push(JSON.stringify({ body: t.slice(0, 300), topic: genre, doc }));
    }
  }
  writeFileSync(p('train.csv'), `text,label\r\n${rows.join('\r\n')}\r\n`);
  writeFileSync(p('train.jsonl'), jsonl.join('\n'));
  writeFileSync(p('lm.txt'), brownParagraphs('ca01').slice(0, 6).join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = ['--units', '4', '--embedding-dim', '4', '--max-len', '20', '--epochs', '2', '--batch-size', '16', '--quiet'];

describe('wasm-rnn train / predict / evaluate', () => {
  it('trains a 3-class model from CSV, reports, saves; predicts JSON lines; evaluates', async () => {
    const t = await run(
      'train',
      '--data',
      p('train.csv'),
      '--out',
      p('m.wrnn'),
      '--validation-split',
      '0.25',
      '--class-weight',
      'balanced',
      ...TINY,
    );
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/48 texts, 3 classes \(news 16, religion 16, romance 16\); training on 36, validating on 12/);
    expect(t.out).toMatch(/validation set \(12 texts held out from training\)/);
    expect(t.out).toMatch(/confusion matrix/);
    expect(t.out).toMatch(/saved .*m\.wrnn \([\d,]+ parameters, classes: news, religion, romance\)/);

    const pr = await run('predict', '--model', p('m.wrnn'), 'The jury said the election was fair.', 'God and the church');
    expect(pr.code, pr.err).toBe(0);
    const lines = pr.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].text).toBe('The jury said the election was fair.');
    expect(['news', 'religion', 'romance']).toContain(lines[0].label);
    expect(Object.keys(lines[0].probabilities)).toEqual(['news', 'religion', 'romance']);
    const sum = Object.values(lines[0].probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);

    const pd = await run('predict', '--model', p('m.wrnn'), '--data', p('train.jsonl'), '--text-column', 'body', '--out', p('pred.jsonl'));
    expect(pd.code, pd.err).toBe(0);
    const out = readFileSync(p('pred.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(48);
    expect(out[1].line).toBe(2);

    const ev = await run(
      'evaluate',
      '--model',
      p('m.wrnn'),
      '--data',
      p('train.jsonl'),
      '--text-column',
      'body',
      '--label-column',
      'topic',
    );
    expect(ev.code, ev.err).toBe(0);
    expect(ev.out).toMatch(/precision\s+recall\s+f1\s+support/);
    expect(ev.out).toMatch(/religion\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+16/);
    expect(ev.out).toMatch(/accuracy \d+\.\d\d%, macro F1/);
  });

  it('trains every --model kind', async () => {
    for (const model of ['gru', 'simplernn', 'bilstm', 'stacked']) {
      const r = await run('train', '--data', p('train.csv'), '--out', p(`${model}.wrnn`), '--model', model, ...TINY, '--epochs', '1');
      expect(r.code, `${model}: ${r.err}`).toBe(0);
    }
  });
});

describe('wasm-rnn tune', () => {
  it('ranks a tiny grid by 2-fold accuracy, writes the CSV and the retrained best model', async () => {
    const r = await run(
      'tune',
      '--data',
      p('train.csv'),
      '--units',
      '4',
      '--embedding-dim',
      '4',
      '--lr',
      '0.00001,0.03',
      '--folds',
      '2',
      '--epochs',
      '2',
      '--max-len',
      '20',
      '--results',
      p('results.csv'),
      '--out',
      p('best.wrnn'),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/trial 2\/2/);
    expect(r.out).toMatch(/grid search, 2 trials, 2-fold cross-validation, ranked by accuracy/);
    const csv = readFileSync(p('results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^rank,cell,units/);
    expect(csv).toHaveLength(3);
    const pr = await run('predict', '--model', p('best.wrnn'), 'a sermon on faith');
    expect(pr.code, pr.err).toBe(0);
  });

  it('keeps the records of a group (--group-column) in one fold', async () => {
    const r = await run(
      'tune',
      '--data',
      p('train.jsonl'),
      '--text-column',
      'body',
      '--label-column',
      'topic',
      '--group-column',
      'doc',
      '--units',
      '4',
      '--embedding-dim',
      '4',
      '--folds',
      '2',
      '--epochs',
      '1',
      '--max-len',
      '10',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/2-fold cross-validation by group \(\d groups\)/);
    await userError(
      ['tune', '--data', p('train.jsonl'), '--text-column', 'body', '--label-column', 'topic', '--group-column', 'author'],
      /train\.jsonl: no group column "author" \(columns: body, topic, doc\)/,
    );
  });

  it('random search takes ranges; a grid does not', async () => {
    const r = await run(
      'tune',
      '--data',
      p('train.csv'),
      '--search',
      'random',
      '--trials',
      '2',
      '--units',
      '2:6',
      '--lr',
      '1e-3:1e-2',
      '--embedding-dim',
      '4',
      '--epochs',
      '1',
      '--max-len',
      '10',
      '--validation-split',
      '0.3',
      '--metric',
      'loss',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/random search, 2 trials, validation split 0.3, ranked by loss/);
    await usageError(['tune', '--data', p('train.csv'), '--units', '2:6'], /--units: ranges \(MIN:MAX\) need --search random/);
    await usageError(['tune', '--data', p('train.csv'), '--lr', '0.01,fast'], /--lr: expected a comma list of numbers, got "fast"/);
  });
});

describe('wasm-rnn train-lm / generate', () => {
  it('trains a character model on a text file and continues a prompt, seeded', async () => {
    const t = await run(
      'train-lm',
      '--text',
      p('lm.txt'),
      '--out',
      p('lm.wrnn'),
      '--units',
      '16',
      '--epochs',
      '2',
      '--seq-len',
      '20',
      '--batch-size',
      '4',
      '--quiet',
    );
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/held-out perplexity \d+\.\d+/);
    const args = [
      'generate',
      '--model',
      p('lm.wrnn'),
      '--prompt',
      'The jury',
      '--length',
      '40',
      '--temperature',
      '0.8',
      '--top-k',
      '5',
      '--top-p',
      '0.9',
      '--seed',
      '3',
    ];
    const g = await run(...args);
    expect(g.code, g.err).toBe(0);
    expect(g.out.startsWith('The jury')).toBe(true);
    expect(Array.from(g.out.trimEnd()).length).toBeGreaterThanOrEqual(8 + 30);
    expect((await run(...args)).out).toBe(g.out);
    // words and punctuation marks as tokens
    const w = await run(
      'train-lm',
      '--text',
      p('lm.txt'),
      '--level',
      'word',
      '--out',
      p('wlm.wrnn'),
      '--units',
      '8',
      '--epochs',
      '1',
      '--seq-len',
      '8',
      '--batch-size',
      '2',
      '--quiet',
    );
    expect(w.code, w.err).toBe(0);
    expect(w.err).toMatch(/word tokens to train/);
    const wg = await run('generate', '--model', p('wlm.wrnn'), '--prompt', 'The jury said', '--length', '12', '--seed', '1');
    expect(wg.code, wg.err).toBe(0);
    expect(wg.out).toMatch(/^The jury said \S/);
    expect(wg.out.trim().split(/\s+/).length).toBeGreaterThanOrEqual(3 + 6);
    // the wrong kind of model, both ways
    await userError(
      ['generate', '--model', p('m.wrnn'), '--prompt', 'x'],
      /m\.wrnn: is a classifier, not a language model; use wasm-rnn predict/,
    );
    await userError(['predict', '--model', p('lm.wrnn'), 'x'], /lm\.wrnn: is a language model/);
  });
});

describe('bad input: exit 1, one line saying what and where, nothing written', () => {
  it('a missing column, an empty text, one class only', async () => {
    writeFileSync(p('empty.csv'), 'text,label\r\nfine text,a\r\n"",b\r\n');
    writeFileSync(p('one.csv'), 'text,label\nsome text,spam\nmore text,spam\n');
    await userError(
      ['train', '--data', p('train.csv'), '--text-column', 'body', '--out', p('x.wrnn')],
      /train\.csv:1: no text column "body" \(columns: text, label\)/,
    );
    await userError(
      ['train', '--data', p('train.jsonl'), '--text-column', 'body', '--out', p('x.wrnn')],
      /train\.jsonl: no label column "label" \(columns: body, topic, doc\)/,
    );
    await userError(['train', '--data', p('empty.csv'), '--out', p('x.wrnn')], /empty\.csv:3: empty text in column "text"/);
    await userError(
      ['train', '--data', p('one.csv'), '--out', p('x.wrnn')],
      /one\.csv: the label column "label" has one class only \("spam"\)/,
    );
    await userError(
      ['evaluate', '--model', p('m.wrnn'), '--data', p('one.csv')],
      /one\.csv:2: label "spam" is not one of the model's classes \(news, religion, romance\)/,
    );
  });

  it('unreadable encoding, a broken CSV, a missing file', async () => {
    writeFileSync(p('latin1.csv'), Buffer.concat([Buffer.from('text,label\nok,a\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait,b\n')]));
    writeFileSync(p('broken.csv'), 'text,label\nok,a\n"unclosed,b\n');
    await userError(['train', '--data', p('latin1.csv'), '--out', p('x.wrnn')], /latin1\.csv:3: not valid UTF-8 \(byte 0xe9/);
    await userError(['train', '--data', p('broken.csv'), '--out', p('x.wrnn')], /broken\.csv:3: a quoted field is never closed/);
    await userError(['train', '--data', p('nope.csv'), '--out', p('x.wrnn')], /nope\.csv: no such data file/);
    await userError(['predict', '--model', p('m.wrnn'), '--data', p('latin1.csv')], /latin1\.csv:3: not valid UTF-8/);
  });

  // option values are part of the command line: exit 2, as --help and the README say (issue 16)
  it('non-numeric and out-of-range option values', async () => {
    await usageError(
      ['train', '--data', p('train.csv'), '--out', p('x.wrnn'), '--epochs', 'ten'],
      /--epochs: expected an integer >= 1, got "ten"/,
    );
    await usageError(
      ['train', '--data', p('train.csv'), '--out', p('x.wrnn'), '--lr', '1e-3x'],
      /--lr: expected a number in \[1e-8, 10\], got "1e-3x"/,
    );
    await usageError(
      ['train', '--data', p('train.csv'), '--out', p('x.wrnn'), '--validation-split', '2'],
      /--validation-split: expected a number in \[0, 0\.9\]/,
    );
    await usageError(['generate', '--model', p('lm.wrnn'), '--prompt', 'x', '--temperature', 'hot'], /--temperature: expected a number/);
    await usageError(
      ['train', '--data', p('train.csv'), '--out', p('x.wrnn'), '--stop-words', 'klingon'],
      /--stop-words: unknown language "klingon"/,
    );
  });

  it('a model file that is not ours', async () => {
    writeFileSync(p('fake.wrnn'), 'this is not a model');
    writeFileSync(p('model.json'), JSON.stringify({ modelTopology: {} }));
    await userError(['predict', '--model', p('fake.wrnn'), 'hello'], /fake\.wrnn: not a wasm-rnn model file/);
    await userError(['evaluate', '--model', p('model.json'), '--data', p('train.csv')], /model\.json: not a wasm-rnn model file/);
    await userError(['generate', '--model', p('fake.wrnn'), '--prompt', 'x'], /fake\.wrnn: not a wasm-rnn model file/);
  });

  it('a failed command leaves no output and no temporary file; an existing output stays as it was', async () => {
    writeFileSync(p('keep.wrnn'), 'old contents');
    const before = readdirSync(dir).sort();
    await userError(['train', '--data', p('one.csv'), '--out', p('keep.wrnn')], /one class only/);
    await userError(['train', '--data', p('one.csv'), '--out', p('new.wrnn')], /one class only/);
    await userError(['predict', '--model', p('fake.wrnn'), '--out', p('new.jsonl'), 'x'], /not a wasm-rnn model/);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(p('keep.wrnn'), 'utf8')).toBe('old contents');
    await userError(
      ['train', '--data', p('train.csv'), '--out', p('no/such/dir/m.wrnn')],
      /cannot write the model: the folder .* does not exist/,
    );
  });
});

describe('usage: exit 2', () => {
  it('unknown commands and options, missing required options, nothing to do', async () => {
    for (const argv of [
      ['fly'],
      ['train', '--data', p('train.csv')],
      ['train', '--data'],
      ['train', '--colour', 'red'],
      ['predict', '--model', p('m.wrnn')],
      ['predict', '--model', p('m.wrnn'), '--data', p('train.csv'), 'extra text'],
      ['train', 'stray'],
      [],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).not.toBe('');
    }
    expect((await run('train', '--colour', 'red')).err).toMatch(/wasm-rnn train: unknown option --colour \(see wasm-rnn train --help\)/);
  });

  it('--help everywhere exits 0 and lists the options', async () => {
    expect((await run('--help')).out).toMatch(/commands:\n\s+train/);
    for (const [cmd, opt] of [
      ['train', '--validation-split'],
      ['predict', '--data'],
      ['evaluate', '--label-column'],
      ['generate', '--top-p'],
      ['tune', '--folds'],
      ['train-lm', '--seq-len'],
    ]) {
      const r = await run(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: wasm-rnn ${cmd}`);
      expect(r.out).toContain(opt);
    }
  });
});

describe('the real executable', () => {
  it('bundled as dist/cli.js is, it runs with a shebang, exit codes and streams', async () => {
    const bin = join(inject('distDir'), 'cli.js');
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: wasm-rnn <command>/);
    const pr = spawnSync(bin, ['predict', '--model', p('m.wrnn'), 'the jury said'], { encoding: 'utf8' });
    expect(pr.status, pr.stderr).toBe(0);
    expect(JSON.parse(pr.stdout).label).toMatch(/news|religion|romance/);
    const bad = spawnSync(bin, ['predict', '--model', p('fake.wrnn'), 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^wasm-rnn predict: .*fake\.wrnn: not a wasm-rnn model file.*\n$/);
    expect(spawnSync(bin, ['nope'], { encoding: 'utf8' }).status).toBe(2);
  });
});
