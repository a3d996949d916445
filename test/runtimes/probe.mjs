// Entry for Node, Deno and Bun: import the installed package as a user
// would and print what scenario.mjs measured as one `RESULT {json}` line.
import * as lib from 'wasm-rnn';
import { probe } from './scenario.mjs';

const res = await probe(lib);
console.log('RESULT ' + JSON.stringify(res));
