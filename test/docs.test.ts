/**
 * README.md says what the code now does (issue 16): the set-up time as
 * measured, elided output marked as elided, the command line's text options
 * and exit codes, stop-word subpaths, TF.js tensors, Keras files, the readable
 * dist. Each phrase is one a user would look for; each fails if the README
 * goes back to the old claim.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
const section = (h: string) => readme.slice(readme.indexOf(h), readme.indexOf('\n## ', readme.indexOf(h) + h.length));

describe('README', () => {
  it('set up: the measured time, and elided output shown as elided', () => {
    const setUp = section('## Set up');
    expect(setUp).not.toMatch(/under a minute/);
    expect(setUp).toMatch(/about 75 s on 2\s+idle cores, the first build \(about 20 s\) included/);
    const out = /```\n(wasm-rnn spam classifier[\s\S]*?)```/.exec(setUp)![1];
    expect(out).toMatch(/^\.\.\.$/m);
    expect(out).toMatch(/^Epoch 1\/6 .*\n\.\.\.\nEpoch 4\/6 /m);
  });

  it('command line: text options, --max-len from the data, the OOV warning, exit codes', () => {
    const cli = section('## Command line');
    for (const s of [
      '--split whitespace|character|word|none',
      '--ngrams N',
      '95th percentile',
      'warns above 25%',
      'did you mean --epochs?',
      '(`--units abc`)',
      '| head',
      'trained on unless',
    ]) {
      expect(cli, s).toContain(s);
    }
  });

  it('library: stop-word subpaths, TF.js tensors, Keras files, readable dist, no runtime dependencies', () => {
    for (const s of [
      "import de from 'wasm-rnn/stopwords/de'",
      'TF.js tensors (anything with `shape` and\n`dataSync()`',
      'tensorflowjs_converter --input_format keras',
      '--enable-source-maps',
      'no runtime dependencies',
    ]) {
      expect(readme.replace(/\s+/g, ' '), s).toContain(s.replace(/\s+/g, ' '));
    }
    expect(readme).not.toMatch(/two\s+tiny runtime dependencies/);
  });
});
