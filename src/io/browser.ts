/**
 * Where a browser keeps a model: IndexedDB (survives reloads) or a file the
 * user downloads. Both take the artifact bytes of model.serialize(), so a
 * model saved here loads in Node and vice versa.
 */
import { describe, fail } from '../errors.js';
import type { Model } from '../models/model.js';
import { deserializeModel, type LoadOptions } from './model_io.js';
import type { SerializeOptions } from './serialize.js';

const DB = 'wasm-rnn';
const STORE = 'models';

function idb(where: string): IDBFactory {
  const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f) fail('E_STATE', `${where}: IndexedDB is not available in this runtime; use model.serialize() and store the bytes yourself`);
  return f;
}

function open(where: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = idb(where).open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`${where}: cannot open IndexedDB (${String(req.error)})`));
  });
}

function request<T>(db: IDBDatabase, mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = run(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error ?? req.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function checkName(where: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) fail('E_ARG', `${where}: name must be a non-empty string, got ${describe(name)}`);
  return name;
}

/** Store the model under `name` in IndexedDB (database 'wasm-rnn'), replacing any earlier one. */
export async function saveModelToIndexedDB(model: Model, name: string, opts?: SerializeOptions): Promise<void> {
  const where = 'saveModelToIndexedDB';
  checkName(where, name);
  const bytes = model.serialize(opts);
  const db = await open(where);
  try {
    await request(db, 'readwrite', (s) => s.put(bytes, name));
  } finally {
    db.close();
  }
}

/** Load a model stored by saveModelToIndexedDB. */
export async function loadModelFromIndexedDB(name: string, opts?: LoadOptions): Promise<Model> {
  const where = 'loadModelFromIndexedDB';
  checkName(where, name);
  const db = await open(where);
  let bytes: unknown;
  try {
    bytes = await request(db, 'readonly', (s) => s.get(name));
  } finally {
    db.close();
  }
  if (bytes === undefined) fail('E_ARG', `${where}: no model named '${name}' in IndexedDB`);
  if (!(bytes instanceof Uint8Array)) fail('E_FORMAT', `${where}: the entry '${name}' is not a wasm-rnn model`);
  return deserializeModel(bytes, opts);
}

/** Names of the models stored in IndexedDB. */
export async function listIndexedDBModels(): Promise<string[]> {
  const db = await open('listIndexedDBModels');
  try {
    return (await request(db, 'readonly', (s) => s.getAllKeys())).map(String);
  } finally {
    db.close();
  }
}

/** Remove a stored model (no error when it does not exist). */
export async function deleteModelFromIndexedDB(name: string): Promise<void> {
  const where = 'deleteModelFromIndexedDB';
  checkName(where, name);
  const db = await open(where);
  try {
    await request(db, 'readwrite', (s) => s.delete(name));
  } finally {
    db.close();
  }
}

/** Let the user download the model as a file (browsers only). */
export function downloadModel(model: Model, filename = `${model.name}.wrnn`, opts?: SerializeOptions): void {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc || typeof URL.createObjectURL !== 'function')
    fail('E_STATE', 'downloadModel: needs a browser page (document); elsewhere use saveModel or serialize()');
  const url = URL.createObjectURL(new Blob([model.serialize(opts) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = filename;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
