/**
 * dist/thread.js: the script of init({ threads })'s worker threads. It
 * imports the same bundle as the page or program (dist/index.js; the build
 * keeps '../index.js' external), so every thread runs the same kernels,
 * layers and engine, and serves jobs (worker_main.ts).
 */
import { threadMain } from '../index.js';

await threadMain();
