/**
 * Dutch stop words (the `stopword` package's list 'nld'): `wasm-rnn/stopwords/nl`.
 * Importing it also makes the codes 'nl' and 'nld' known to TextVectorizer.
 *
 *   import nl from 'wasm-rnn/stopwords/nl';
 *   new TextVectorizer({ stopWords: nl });
 */
import { nld } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('nl', 'nld', nld);
export default words;
