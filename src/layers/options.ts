/**
 * Option parsing shared by the layer factories: Keras/TF.js names, defaults,
 * and a clear error for anything unknown or out of range.
 */
import { ACTIVATIONS, type ActivationName } from '../backend/abi.js';
import { checkKeys, checkObject, describe, fail } from '../errors.js';

export function options(where: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  const o = checkObject(where, 'options', v ?? {});
  checkKeys(where, o, allowed);
  return o;
}

/** Sizes above 2^24 would not fit one wasm memory once multiplied out, and lose integers in a float32. */
const MAX_SIZE = 1 << 24;

export function positiveInt(where: string, name: string, v: unknown, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
    fail('E_ARG', `${where}: ${name} must be a positive integer of at most ${MAX_SIZE}, got ${describe(v)}`);
  }
  return v;
}

export function bool(where: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail('E_ARG', `${where}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

export function rate(where: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail('E_ARG', `${where}: ${name} must be a number in [0, 1), got ${describe(v)}`);
  return v;
}

/** Activation names as TF.js spells them; Keras's snake_case spelling is accepted too. */
export function activation(where: string, name: string, v: unknown, dflt: ActivationName, allowSoftmax = false): ActivationName {
  if (v === undefined || v === null) return dflt;
  const key = v === 'hard_sigmoid' ? 'hardSigmoid' : v;
  if (typeof key !== 'string' || !(key in ACTIVATIONS) || (key === 'softmax' && !allowSoftmax)) {
    const names = Object.keys(ACTIVATIONS).filter((k) => allowSoftmax || k !== 'softmax');
    fail('E_ARG', `${where}: ${name} must be one of ${names.map((n) => `'${n}'`).join(', ')}, got ${describe(v)}`);
  }
  return key as ActivationName;
}

/** Optional explicit input shape (without the batch axis). */
export function inputShape(where: string, v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length < 1 || v.length > 2 || v.some((d) => d !== null && (!Number.isInteger(d) || d < 1))) {
    fail('E_ARG', `${where}: inputShape must be [features] or [timesteps, features] (timesteps may be null), got ${describe(v)}`);
  }
  return v.map((d) => (d === null ? -1 : d));
}
