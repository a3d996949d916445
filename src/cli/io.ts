/**
 * Files for the CLI: read with errors that say which file and why, write
 * atomically (a temporary file in the same folder, then a rename), so an
 * interrupted or failed command never leaves a half-written output.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { foreignModelAdvice } from '../io/foreign.js';
import { loadModelSync } from '../io/load.js';
import { WasmRnnError } from '../errors.js';
import type { Model } from '../models/model.js';
import { UserError, at } from './errors.js';

export function readBytes(file: string, what = 'file'): Uint8Array {
  try {
    if (statSync(file).isDirectory()) throw at(file, null, `is a directory, not a ${what}`);
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw at(file, null, code === 'ENOENT' ? `no such ${what}` : `cannot read the ${what} (${code ?? (e as Error).message})`);
  }
}

/** Fail before the work starts when an output cannot be written. */
export function checkWritable(file: string, what: string): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) throw at(file, null, `cannot write the ${what}: the folder ${dir} does not exist`);
  if (existsSync(file) && statSync(file).isDirectory()) throw at(file, null, `cannot write the ${what}: it is a directory`);
}

/** Write to `${file}` through a temporary file and a rename. */
export function writeAtomic(file: string, data: Uint8Array | string, what = 'output'): void {
  checkWritable(file, what);
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw at(file, null, `cannot write the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A wasm-rnn model file; anything else is a one-line error. */
export function readModel(file: string): Model {
  const bytes = readBytes(file, 'model file');
  const advice = foreignModelAdvice(bytes);
  if (advice !== null) throw at(file, null, `not a wasm-rnn model file: ${advice}`);
  try {
    return loadModelSync(bytes);
  } catch (e) {
    if (e instanceof WasmRnnError && e.code === 'E_FORMAT') {
      const reason = e.message.replace(/^[^:]*: /, '').replace(/^not a wasm-rnn artifact \((.*)\)$/, '$1');
      throw at(file, null, `not a wasm-rnn model file (${reason})`);
    }
    throw e;
  }
}
