/**
 * What users pass to fit / evaluate / predict, read into flat typed arrays
 * per model input and per output, and checked before anything touches the
 * model: one tensor for a one-input model; an array of tensors (or
 * `{ inputName: tensor }`) for several; targets likewise per output.
 */
import { describe, fail } from '../errors.js';
import type { TensorSpec } from '../layers/layer.js';
import type { LossName } from '../train/losses.js';
import { checkTargets } from '../train/losses.js';
import { Tensor } from '../tensor.js';
import { checkInput, toData, type Data, type InputSpec } from './data.js';

/** Targets prepared for one output's loss: flat, with their per-sample row length. */
export interface Targets {
  data: Float32Array | Int32Array;
  /** values per sample (C, or T·C / T for per-step outputs) */
  rowLen: number;
}

/** One model input as staging sees it. */
export interface InputInfo extends InputSpec {
  name: string;
}

/** Split `v` into one value per name: one value for one name; an array or a { name: value } object for several. */
export function perName(v: unknown, names: readonly string[], where: string, what: string): unknown[] {
  if (names.length === 1) {
    if (Array.isArray(v) && v.length === 1 && v[0] instanceof Tensor) return v;
    if (isNamedMap(v) && names[0] in v && Object.keys(v).length === 1) return [v[names[0]]];
    return [v];
  }
  if (Array.isArray(v)) {
    if (v.length !== names.length) {
      fail(
        'E_ARG',
        `${where}: the model has ${names.length} ${what}s (${names.join(', ')}); pass an array of ${names.length} tensors or an object by name, got an array of ${v.length}`,
      );
    }
    return v;
  }
  if (isNamedMap(v)) {
    const extra = Object.keys(v).filter((k) => !names.includes(k));
    if (extra.length)
      fail(
        'E_ARG',
        `${where}: unknown ${what} name${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (the model's ${what}s: ${names.join(', ')})`,
      );
    const missing = names.filter((k) => v[k] === undefined);
    if (missing.length)
      fail('E_ARG', `${where}: missing ${what} ${missing.map((k) => `'${k}'`).join(', ')} (the model's ${what}s: ${names.join(', ')})`);
    return names.map((k) => v[k]);
  }
  return fail(
    'E_ARG',
    `${where}: the model has ${names.length} ${what}s (${names.join(', ')}); pass an array of tensors or an object by name, got ${describe(v)}`,
  );
}

function isNamedMap(v: unknown): v is Record<string, unknown> {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof Tensor) &&
    Object.getPrototypeOf(v) === Object.prototype
  );
}

/** Read and check every input; they must agree on the number of samples. */
export function readInputs(x: unknown, infos: readonly InputInfo[], where: string): Data[] {
  const names = infos.map((i) => i.name);
  const parts = perName(x, names, where, 'input');
  const data = parts.map((p, i) => checkInput(p, infos[i], where, infos.length === 1 ? 'x' : `x['${infos[i].name}']`));
  const n = data[0].shape[0];
  data.forEach((d, i) => {
    if (d.shape[0] !== n) fail('E_SHAPE', `${where}: input '${names[i]}' has ${d.shape[0]} samples but '${names[0]}' has ${n}`);
  });
  return data;
}

/** What one output's loss needs to read its targets. */
export interface TargetSpec {
  name: string;
  loss: LossName;
  /** the output's concrete per-sample spec */
  out: TensorSpec;
}

/** Rows per sample of an output (time steps for a sequence output) and its width C. */
export function rowsAndWidth(out: TensorSpec): { rows: number; C: number } {
  const s = out.shape;
  const C = s[s.length - 1];
  let rows = 1;
  for (let i = 0; i < s.length - 1; i++) rows *= s[i];
  return { rows, C };
}

/** Check and flatten the targets of one output for its loss. */
export function readTargets(y: unknown, spec: TargetSpec, n: number, where: string, label: string): Targets {
  const d = toData(y, where, label);
  const { rows, C } = rowsAndWidth(spec.out);
  const sparse = spec.loss === 'sparseCategoricalCrossentropy';
  const want = rows * (sparse ? 1 : C);
  if (d.shape[0] !== n) fail('E_SHAPE', `${where}: ${label} has ${d.shape[0]} samples but x has ${n}`);
  const got = d.data.length / Math.max(1, n);
  if (got !== want) {
    const lead = spec.out.shape.slice(0, -1).join(', ');
    const expect = sparse
      ? rows > 1
        ? `(samples, ${lead}) class ids`
        : '(samples) or (samples, 1) class ids'
      : rows > 1
        ? `(samples, ${lead}, ${C})`
        : `(samples, ${C})${C === 1 ? ' or (samples)' : ''}`;
    fail('E_SHAPE', `${where}: ${label} must have shape ${expect} for ${spec.loss}, got [${d.shape.join(', ')}]`);
  }
  checkTargets(spec.loss, d.data, C, where);
  const data = sparse ? Int32Array.from(d.data) : Float32Array.from(d.data);
  return { data, rowLen: want };
}

/** A dataset cut to samples [from, to) (views, no copies). */
export function sliceData(d: Data, from: number, to: number): Data {
  const per = d.data.length / d.shape[0];
  return { data: d.data.subarray(from * per, to * per), shape: [to - from, ...d.shape.slice(1)] };
}

export function sliceTargets(t: Targets, from: number, to: number): Targets {
  return { data: t.data.subarray(from * t.rowLen, to * t.rowLen), rowLen: t.rowLen };
}

export function checkOptions(where: string, o: unknown, keys: readonly string[]): void {
  if (o === null || typeof o !== 'object') fail('E_ARG', `${where}: options must be an object, got ${describe(o)}`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail('E_ARG', `${where}: unknown option '${k}' (supported: ${keys.join(', ')})`);
}

export function checkBatchSize(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    fail('E_ARG', `${where}: batchSize must be a positive integer, got ${describe(v)}`);
  return v;
}

export function sampleWeights(v: unknown, n: number, where: string): Float32Array {
  const d = toData(v, where, 'sampleWeight');
  if (d.data.length !== n) fail('E_SHAPE', `${where}: sampleWeight must have one weight per sample (${n}), got ${d.data.length}`);
  for (const x of d.data) if (!Number.isFinite(x) || x < 0) fail('E_ARG', `${where}: sample weights must be finite and >= 0, got ${x}`);
  return Float32Array.from(d.data);
}
