/**
 * Italian stop words (the `stopword` package's list 'ita'): `wasm-rnn/stopwords/it`.
 * Importing it also makes the codes 'it' and 'ita' known to TextVectorizer.
 *
 *   import it from 'wasm-rnn/stopwords/it';
 *   new TextVectorizer({ stopWords: it });
 */
import { ita } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('it', 'ita', ita);
export default words;
