/**
 * Bidirectional merge modes other than concat: reducing the direction
 * axis of a bidirectional output (ReduceSum / ReduceMean / ReduceProd, as
 * our exports write it), or adding / multiplying its two halves (as a
 * PyTorch model would: out[..., :H] + out[..., H:]). Concat needs no op:
 * it is the (direction, hidden) feature axis itself.
 */
import { formatError } from '../core.js';
import { isUnit } from './atoms.js';
import { intsInput, need, type Ctx } from './context.js';
import { reduceOverTime } from './ops_conv.js';
import { tokenCount } from './ops_mask.js';
import { normAxis } from './views.js';
import type { DataValue, Port, Value } from './values.js';

type Handler = (c: Ctx) => Value[];
type Mode = 'sum' | 'ave' | 'mul';

const REDUCE_MODES: Record<string, Mode> = { ReduceSum: 'sum', ReduceMean: 'ave', ReduceProd: 'mul' };

/** Record the merge mode on the bidirectional node, and drop the direction atom from its port. */
function merge(c: Ctx, v: DataValue, mode: Mode): Port {
  const rnn = v.port.owner.rnn!;
  if (rnn.mergeMode && rnn.mergeMode !== mode)
    formatError(`${c.where}: merges the directions of ${v.port.owner.origin} by ${mode}, elsewhere by ${rnn.mergeMode}`);
  if (v.port.owner.used.has(v.port.name))
    formatError(`${c.where}: merges the directions of ${v.port.owner.origin} after another node read them concatenated`);
  rnn.mergeMode = mode;
  v.port.atoms = v.port.atoms.filter((a) => a !== rnn.D);
  return v.port;
}

const reduce: Handler = (c) => {
  const mode = REDUCE_MODES[c.node.opType];
  const v = need(c, 0, 'data');
  if (v.kind === 'idmask' && c.node.opType === 'ReduceSum') return tokenCount(c, v);
  const keepdims = c.attrs.int('keepdims', 1) !== 0;
  const axesFromInput = c.node.opType === 'ReduceSum' ? c.opset >= 13 : c.opset >= 18;
  const axes = axesFromInput ? (c.input(1) ? intsInput(c, 1, 'axes') : null) : c.attrs.ints('axes');
  if (axesFromInput) c.attrs.accept('noop_with_empty_axes');
  if (v.kind !== 'data') return formatError(`${c.where}: reduces ${v.kind === 'const' ? 'a constant' : 'a value we cannot follow'}`);
  // a mean over time: global average pooling
  const pooled = c.node.opType === 'ReduceMean' ? reduceOverTime(c, v, axes, keepdims, false) : null;
  if (pooled) return pooled;
  const D = v.port.owner.rnn?.D;
  if (!axes || axes.length !== 1 || !D)
    return formatError(
      `${c.where}: ${c.node.opType} is only supported over the direction axis of a bidirectional output${c.node.opType === 'ReduceMean' ? ' or the time axis of a sequence' : ''}`,
    );
  const ax = normAxis(c.where, axes[0], v.axes.length);
  const atoms = v.axes[ax].filter((a) => !isUnit(a, c.roles));
  if (atoms.length !== 1 || atoms[0] !== D || v.fixed.length)
    return formatError(`${c.where}: ${c.node.opType} is only supported over the direction axis of a bidirectional output`);
  const p = merge(c, v, mode);
  const axesOut = keepdims ? v.axes.map((a, i) => (i === ax ? [] : a)) : v.axes.filter((_, i) => i !== ax);
  return [{ ...v, port: p, axes: axesOut }];
};

/** Add or Mul of the forward and backward halves of one bidirectional output. */
export function halves(c: Ctx, mode: 'sum' | 'mul'): Value[] | null {
  const a = need(c, 0, 'A');
  const b = need(c, 1, 'B');
  if (a.kind !== 'data' || b.kind !== 'data' || a.port !== b.port) return null;
  const D = a.port.owner.rnn?.D;
  const fa = a.fixed.find((f) => f.atom === D);
  const fb = b.fixed.find((f) => f.atom === D);
  if (!D || !fa || !fb || fa.index === fb.index || a.fixed.length !== 1 || b.fixed.length !== 1 || a.reversed !== b.reversed) return null;
  if (a.axes.length !== b.axes.length || a.axes.some((ax, i) => ax.length !== b.axes[i].length || ax.some((x, k) => x !== b.axes[i][k])))
    return null;
  const p = merge(c, a, mode);
  return [{ ...a, port: p, fixed: [] }];
}

export const MERGE_OPS: Record<string, Handler> = {
  ReduceSum: reduce,
  ReduceMean: reduce,
  ReduceProd: reduce,
};
