/**
 * Spanish stop words (the `stopword` package's list 'spa'): `wasm-rnn/stopwords/es`.
 * Importing it also makes the codes 'es' and 'spa' known to TextVectorizer.
 *
 *   import es from 'wasm-rnn/stopwords/es';
 *   new TextVectorizer({ stopWords: es });
 */
import { spa } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('es', 'spa', spa);
export default words;
