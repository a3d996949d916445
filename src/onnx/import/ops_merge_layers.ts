/**
 * Two or more layer outputs combined position by position: Add / Sub / Mul
 * of two become our Add / Subtract / Multiply layers, a Concat on the
 * feature axis a Concatenate (a residual connection, features joined from
 * two branches). They need the functional API: a chain cannot hold them.
 * Each input must lay out batch (and time) the same way, with its features
 * on the last axis.
 */
import { formatError } from '../core.js';
import { dimOf, newAtom } from './atoms.js';
import type { Ctx } from './context.js';
import { perPosition } from './consume.js';
import { port, type DataValue, type Value } from './values.js';

const CLASSES: Record<string, string> = { Add: 'Add', Sub: 'Subtract', Mul: 'Multiply', Concat: 'Concatenate' };

export function mergeLayer(c: Ctx, parts: DataValue[]): Value {
  const op = c.node.opType;
  const ins = parts.map((v, k) => perPosition(c, v, `input ${k}`));
  const lead = ins[0].leading;
  const same = ins.every(
    (x) =>
      x.flipped === ins[0].flipped &&
      x.leading.length === lead.length &&
      x.leading.every((ax, i) => ax.length === lead[i].length && ax.every((a, j) => a === lead[i][j])),
  );
  if (!same) formatError(`${c.where}: its inputs lay out batch and time differently (or run time in opposite orders)`);
  const widths = parts.map((v) => dimOf(v.axes[v.axes.length - 1]).k);
  if (op !== 'Concat' && widths.some((w) => w !== widths[0]))
    formatError(`${c.where}: combines ${widths.join(' and ')} features position by position`);
  const F = op === 'Concat' ? widths.reduce((a, b) => a + b, 0) : widths[0];
  const d = c.addDraft({
    className: CLASSES[op],
    origin: c.where,
    inputs: ins.map((x) => x.port),
    weights: [],
    config: op === 'Concat' ? { axis: -1 } : {},
  });
  const features = newAtom('features', F);
  const p = port(d, 'out', [...ins[0].port.atoms.filter((a) => c.roles.of(a) !== null), features], ins[0].flipped);
  return { kind: 'data', port: p, axes: [...lead, [features]], fixed: [], reversed: false };
}
