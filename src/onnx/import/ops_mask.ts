/**
 * Sequence lengths computed from the token ids, as our exports (and
 * hand-made graphs) write them: ReduceSum(Cast(Not(Equal(ids, 0))), time).
 * Fed to a recurrent node as sequence_lens, they are exactly the Keras mask
 * of an embedding with maskZero for post-padded ids (padding only after the
 * tokens), so the embedding that reads those ids gets maskZero = true.
 */
import { formatError } from '../core.js';
import { isUnit } from './atoms.js';
import { intsInput, need, type Ctx } from './context.js';
import { allEqual } from './fold.js';
import { normAxis } from './views.js';
import type { DataValue, Port, Value } from './values.js';

type Handler = (c: Ctx) => Value[];

function idsOperand(v: Value | null): DataValue | null {
  if (v?.kind !== 'data') return null;
  const o = v.port.owner;
  return o.kind === 'input' && o.dtype === 'int32' && !v.fixed.length ? v : null;
}

function zero(v: Value | null): boolean {
  return v?.kind === 'const' && v.t.data.length === 1 && allEqual(v.t, 0);
}

/** Equal(ids, 0): padding; Greater(ids, 0): tokens (ids are never negative). */
const compare: Handler = (c) => {
  const [a, b] = [need(c, 0, 'A'), need(c, 1, 'B')];
  const ids = idsOperand(a) ?? idsOperand(b);
  if (!ids || !(zero(a) || zero(b)) || (c.node.opType === 'Greater' && !zero(b))) {
    return formatError(`${c.where}: ${c.node.opType} is only supported between the token ids and 0 (a padding mask)`);
  }
  return [{ kind: 'idmask', ids, tokens: c.node.opType === 'Greater' }];
};

const not: Handler = (c) => {
  const v = need(c, 0, 'X');
  if (v.kind !== 'idmask') return formatError(`${c.where}: Not is only supported on a padding mask`);
  return [{ ...v, tokens: !v.tokens }];
};

/** ReduceSum of the token mask over time: lengths. */
export function tokenCount(c: Ctx, v: Extract<Value, { kind: 'idmask' }>): Value[] {
  const keepdims = c.attrs.int('keepdims', 1) !== 0;
  const axes = c.opset >= 13 ? (c.input(1) ? intsInput(c, 1, 'axes') : null) : c.attrs.ints('axes');
  if (c.opset >= 13) c.attrs.accept('noop_with_empty_axes');
  const ax = axes?.length === 1 ? normAxis(c.where, axes[0], v.ids.axes.length) : -1;
  const atoms = ax >= 0 ? v.ids.axes[ax].filter((a) => !isUnit(a, c.roles)) : [];
  if (!v.tokens || keepdims || atoms.length !== 1 || c.roles.of(atoms[0]) !== 'time') {
    return formatError(`${c.where}: only the count of tokens over time (keepdims 0) is supported`);
  }
  return [{ kind: 'lens', ids: v.ids.port }];
}

/** The Embedding that reads `ids` and feeds `x`, through the layers between them. */
export function maskingEmbedding(c: Ctx, x: Port, ids: Port): void {
  const seen = new Set<unknown>();
  const visit = (p: Port): boolean => {
    const d = p.owner;
    if (seen.has(d)) return false;
    seen.add(d);
    if (d.className === 'Embedding' && d.inputs[0] === ids) {
      d.config.maskZero = true;
      return true;
    }
    return d.inputs.some(visit);
  };
  if (!visit(x)) formatError(`${c.where}: sequence_lens counts tokens of ids that no embedding before it reads`);
}

export const MASK_OPS: Record<string, Handler> = { Equal: compare, Greater: compare, Not: not };
