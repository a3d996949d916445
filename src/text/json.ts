/**
 * Readers for the plain-JSON documents that fromJSON() accepts. A wrong
 * document is a WasmRnnError with code E_FORMAT whose message gives the path
 * of the wrong field ("TextVectorizer.fromJSON: config.maxTokens must be an
 * integer >= 3, got -1"), so a hand-edited or truncated artifact is easy to fix.
 */
import { WasmRnnError, describe, fail } from '../errors.js';

export type JsonObject = Record<string, unknown>;

/** Accept a parsed object or its JSON text. */
export function parseJson(where: string, json: unknown): JsonObject {
  let doc = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      fail('E_FORMAT', `${where}: the text is not valid JSON (${(e as Error).message})`);
    }
  }
  return jsonObject(where, 'the document', doc);
}

export function jsonObject(where: string, path: string, v: unknown): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail('E_FORMAT', `${where}: ${path} must be an object, got ${describe(v)}`);
  }
  return v as JsonObject;
}

/** Fail on missing required keys and on keys we do not know (never ignored). */
export function jsonKeys(
  where: string,
  path: string,
  obj: JsonObject,
  required: readonly string[],
  optional: readonly string[] = [],
): void {
  for (const k of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) fail('E_FORMAT', `${where}: ${path} is missing the field '${k}'`);
  }
  for (const k of Object.keys(obj)) {
    if (!required.includes(k) && !optional.includes(k)) {
      fail('E_FORMAT', `${where}: ${path} has an unknown field '${k}' (expected: ${[...required, ...optional].join(', ')})`);
    }
  }
}

export function jsonString(where: string, path: string, v: unknown): string {
  if (typeof v !== 'string') fail('E_FORMAT', `${where}: ${path} must be a string, got ${describe(v)}`);
  return v;
}

export function jsonBool(where: string, path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail('E_FORMAT', `${where}: ${path} must be true or false, got ${describe(v)}`);
  return v;
}

export function jsonInt(where: string, path: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail('E_FORMAT', `${where}: ${path} must be an integer >= ${min}, got ${describe(v)}`);
  }
  return v;
}

export function jsonStringArray(where: string, path: string, v: unknown): string[] {
  if (!Array.isArray(v)) fail('E_FORMAT', `${where}: ${path} must be an array of strings, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') fail('E_FORMAT', `${where}: ${path}[${i}] must be a string, got ${describe(v[i])}`);
  }
  return v as string[];
}

export function jsonNumberArray(where: string, path: string, v: unknown): number[] {
  if (!Array.isArray(v)) fail('E_FORMAT', `${where}: ${path} must be an array of numbers, got ${describe(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
      fail('E_FORMAT', `${where}: ${path}[${i}] must be a finite number, got ${describe(v[i])}`);
    }
  }
  return v as number[];
}

/**
 * Run a constructor on options read from a document: its E_ARG errors
 * ("maxTokens must be ...") become E_FORMAT errors about the document.
 */
export function asFormatError<T>(where: string, path: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof WasmRnnError && e.code === 'E_ARG') {
      throw new WasmRnnError('E_FORMAT', `${where}: ${path} is invalid: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
