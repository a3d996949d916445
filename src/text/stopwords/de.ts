/**
 * German stop words (the `stopword` package's list 'deu'): `wasm-rnn/stopwords/de`.
 * Importing it also makes the codes 'de' and 'deu' known to TextVectorizer.
 *
 *   import de from 'wasm-rnn/stopwords/de';
 *   new TextVectorizer({ stopWords: de });
 */
import { deu } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/index.js once built, so the
// list registers with the library the app already imports (build/bundle.mjs)
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('de', 'deu', deu);
export default words;
