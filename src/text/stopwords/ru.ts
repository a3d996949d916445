/**
 * Russian stop words (the `stopword` package's list 'rus'): `wasm-rnn/stopwords/ru`.
 * Importing it also makes the codes 'ru' and 'rus' known to TextVectorizer.
 *
 *   import ru from 'wasm-rnn/stopwords/ru';
 *   new TextVectorizer({ stopWords: ru });
 */
import { rus } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('ru', 'rus', rus);
export default words;
