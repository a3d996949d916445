/**
 * German stop words (the `stopword` package's list 'deu'): `wasm-rnn/stopwords/de`.
 * Importing it also makes the codes 'de' and 'deu' known to TextVectorizer.
 *
 *   import de from 'wasm-rnn/stopwords/de';
 *   new TextVectorizer({ stopWords: de });
 */
import { deu } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('de', 'deu', deu);
export default words;
