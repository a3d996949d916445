/**
 * Every stop-word subpath module, for code that wants all the languages (the
 * command line). Apps import only the ones they use: 'wasm-rnn/stopwords/de'.
 * The order is the order codes are listed in messages.
 */
import './ja.js';
import './de.js';
import './fr.js';
import './es.js';
import './pt.js';
import './it.js';
import './ru.js';
import './nl.js';
