/**
 * French stop words (the `stopword` package's list 'fra'): `wasm-rnn/stopwords/fr`.
 * Importing it also makes the codes 'fr' and 'fra' known to TextVectorizer.
 *
 *   import fr from 'wasm-rnn/stopwords/fr';
 *   new TextVectorizer({ stopWords: fr });
 */
import { fra } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/index.js once built, so the
// list registers with the library the app already imports (build/bundle.mjs)
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('fr', 'fra', fra);
export default words;
