/**
 * Russian stop words (the `stopword` package's list 'rus'): `wasm-rnn/stopwords/ru`.
 * Importing it also makes the codes 'ru' and 'rus' known to TextVectorizer.
 *
 *   import ru from 'wasm-rnn/stopwords/ru';
 *   new TextVectorizer({ stopWords: ru });
 */
import { rus } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/index.js once built, so the
// list registers with the library the app already imports (build/bundle.mjs)
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('ru', 'rus', rus);
export default words;
