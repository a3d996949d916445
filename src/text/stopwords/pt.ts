/**
 * Portuguese stop words (the `stopword` package's list 'por'): `wasm-rnn/stopwords/pt`.
 * Importing it also makes the codes 'pt' and 'por' known to TextVectorizer.
 *
 *   import pt from 'wasm-rnn/stopwords/pt';
 *   new TextVectorizer({ stopWords: pt });
 */
import { por } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('pt', 'por', por);
export default words;
