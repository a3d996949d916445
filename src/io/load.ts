/**
 * loadModel / saveModel: bytes anywhere; file paths where a file system
 * exists (Node, Deno, Bun), reached through nodeBuiltin() so browser bundles
 * never see fs.
 * saveModel writes to a temporary file and renames it, so a crash never
 * leaves a half-written model behind.
 */
import { describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import { nodeBuiltin } from '../node_builtin.js';
import { foreignModelAdvice } from './foreign.js';
import { deserializeModel, type LoadOptions } from './model_io.js';
import type { SerializeOptions } from './serialize.js';

/** Our artifact, or an E_FORMAT error that names a Keras / TF.js file and how to convert it. */
function deserialize(bytes: Uint8Array, opts: LoadOptions): Model {
  const advice = foreignModelAdvice(bytes);
  if (advice !== null) fail('E_FORMAT', `loadModel: not a wasm-rnn artifact (wrong magic number): ${advice}`);
  return deserializeModel(bytes, opts);
}

export async function loadModel(source: Uint8Array | ArrayBuffer | string, opts: LoadOptions = {}): Promise<Model> {
  if (typeof source === 'string') {
    const fs = await nodeFs('loadModel');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(source));
    } catch (e) {
      const dir = (e as { code?: string }).code === 'EISDIR';
      fail(
        'E_ARG',
        `loadModel: cannot read ${source}: ${dir ? 'it is a folder (a TensorFlow SavedModel? convert it with tensorflowjs_converter, then use fromTfjs)' : (e as Error).message}`,
      );
    }
    return deserialize(bytes, opts);
  }
  if (source instanceof ArrayBuffer) return deserialize(new Uint8Array(source), opts);
  if (source instanceof Uint8Array) return deserialize(source, opts);
  return fail('E_ARG', `loadModel: expected the artifact's bytes (Uint8Array/ArrayBuffer) or a file path, got ${describe(source)}`);
}

/** Synchronous load from bytes (no file system). */
export function loadModelSync(bytes: Uint8Array | ArrayBuffer, opts: LoadOptions = {}): Model {
  return deserialize(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes, opts);
}

export async function saveModel(model: Model, path: string, opts?: SerializeOptions): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) fail('E_ARG', `saveModel: path must be a non-empty string, got ${describe(path)}`);
  const bytes = model.serialize(opts);
  const fs = await nodeFs('saveModel');
  const tmp = `${path}.${Date.now().toString(36)}.tmp`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    fail('E_ARG', `saveModel: cannot write ${path}: ${(e as Error).message}`);
  }
}

interface Fs {
  readFile(p: string): Promise<Uint8Array>;
  writeFile(p: string, d: Uint8Array): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  rm(p: string, o: { force: boolean }): Promise<void>;
}

async function nodeFs(where: string): Promise<Fs> {
  const fs = await nodeBuiltin<Fs>('fs/promises');
  if (!fs)
    fail(
      'E_ARG',
      `${where}: file paths need a file system (Node, Deno, Bun); in a browser pass bytes instead (e.g. from IndexedDB or fetch)`,
    );
  return fs;
}
