/**
 * dist/threads/thread.js: the script of init({ threads })'s worker threads.
 * It imports the same modules as the page or program (dist/index.js and what
 * it imports), so every thread runs the same kernels, layers and engine, and
 * serves jobs (worker_main.ts).
 */
import { threadMain } from '../index.js';

await threadMain();
