/**
 * Japanese stop words (the `stopword` package's list 'jpn'): `wasm-rnn/stopwords/ja`.
 * Importing it also makes the codes 'ja' and 'jpn' known to TextVectorizer.
 *
 *   import ja from 'wasm-rnn/stopwords/ja';
 *   new TextVectorizer({ stopWords: ja });
 */
import { jpn } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('ja', 'jpn', jpn);
export default words;
