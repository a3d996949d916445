/**
 * The one error type the library throws on purpose. `code` is stable and
 * machine-readable; `message` says what was wrong and what to do.
 *
 *   E_ARG      an argument has the wrong type, range or value
 *   E_SHAPE    a tensor or buffer has the wrong shape or length
 *   E_STATE    a call made in the wrong order (fit before compile, ...)
 *   E_FORMAT   a serialized artifact or JSON document is malformed
 *   E_BACKEND  a backend could not be loaded or failed its self-check
 *   E_MEMORY   the arena cannot grow to what a model needs
 *   E_NUMERIC  a loss or weight became NaN/Inf during training
 *   E_ABORT    an operation was cancelled by the caller
 */
export type ErrorCode = 'E_ARG' | 'E_SHAPE' | 'E_STATE' | 'E_FORMAT' | 'E_BACKEND' | 'E_MEMORY' | 'E_NUMERIC' | 'E_ABORT';

export class WasmRnnError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WasmRnnError';
    this.code = code;
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new WasmRnnError(code, message);
}

/** Short, safe description of any value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}..."` : `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
}

export function checkInt(where: string, name: string, v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    fail('E_ARG', `${where}: ${name} must be an integer ${range}, got ${describe(v)}`);
  }
  return v;
}

export function checkNumber(where: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail('E_ARG', `${where}: ${name} must be a finite number in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

export function checkOneOf<T extends string>(where: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail('E_ARG', `${where}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** Reject option keys we do not know: an unsupported option is an error, never ignored. */
export function checkKeys(where: string, opts: object, allowed: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      fail('E_ARG', `${where}: unknown option '${k}' (supported: ${allowed.join(', ')})`);
    }
  }
}

export function checkObject(where: string, name: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail('E_ARG', `${where}: ${name} must be an options object, got ${describe(v)}`);
  }
  return v as Record<string, unknown>;
}
