/**
 * French stop words (the `stopword` package's list 'fra'): `wasm-rnn/stopwords/fr`.
 * Importing it also makes the codes 'fr' and 'fra' known to TextVectorizer.
 *
 *   import fr from 'wasm-rnn/stopwords/fr';
 *   new TextVectorizer({ stopWords: fr });
 */
import { fra } from 'stopword/dist/stopword.esm.mjs';
// '../index.js' is src/text/index.ts here and dist/text/index.js once built:
// the very module the app's 'wasm-rnn' imports, so the list registers there
import { registerStopWords } from '../index.js';

const words: readonly string[] = registerStopWords('fr', 'fra', fra);
export default words;
