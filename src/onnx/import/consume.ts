/**
 * How a layer takes its input from a data view, and the checks that make
 * the edge exact: whole layer outputs only (no one-direction halves), time
 * in the order the producer's memory has it, features as one axis in
 * row-major order.
 */
import { formatError } from '../core.js';
import { dimOf, isUnit, type Atom } from './atoms.js';
import type { Ctx } from './context.js';
import { dims, featureAtoms, sameAtoms } from './views.js';
import type { DataValue, Port } from './values.js';
import { fmtDim } from './atoms.js';

export function use(p: Port): Port {
  p.owner.used.add(p.name);
  return p;
}

function whole(c: Ctx, v: DataValue, what: string): void {
  if (v.fixed.length)
    formatError(
      `${c.where}: its ${what} is one direction of a bidirectional output; we only have whole bidirectional outputs (both directions merged)`,
    );
}

/**
 * A per-position layer (Dense, an activation): its last axis must be the
 * producer's features, the others batch / time / units in any order.
 * Returns the producer's port and whether time runs backwards in it
 * relative to this view (so the new layer's memory does too).
 */
export function perPosition(c: Ctx, v: DataValue, what: string): { port: Port; flipped: boolean; leading: Atom[][] } {
  whole(c, v, what);
  const feats = featureAtoms(v.port, c.roles);
  const last = v.axes[v.axes.length - 1];
  if (!v.axes.length || !feats.length || !sameAtoms(last, feats, c.roles)) {
    formatError(
      `${c.where}: its ${what} [${dims(v).map(fmtDim).join(', ')}] does not have the features of ${v.port.owner.origin} on its last axis`,
    );
  }
  const leading = v.axes.slice(0, -1);
  const roles = leading.flatMap((ax) => ax.filter((a) => !isUnit(a, c.roles)));
  const want = v.port.atoms.filter((a) => c.roles.of(a) !== null);
  if (
    roles.length !== want.length ||
    roles.some((a) => !want.includes(a)) ||
    leading.some((ax) => ax.filter((a) => !isUnit(a, c.roles)).length > 1)
  ) {
    formatError(`${c.where}: its ${what} mixes the batch or time axis with others`);
  }
  return { port: use(v.port), flipped: v.port.flipped !== v.reversed, leading };
}

/** Feature width of a view's last axis. */
export function lastDim(v: DataValue): number {
  const d = dimOf(v.axes[v.axes.length - 1]);
  return d.s.length ? -1 : d.k;
}

/** A recurrent X: (time, batch, features) for layout 0, (batch, time, features) for layout 1. */
export function sequenceInput(c: Ctx, v: DataValue, layout: number, where = 'input X'): { port: Port; time: Atom; batch: Atom } {
  whole(c, v, where);
  if (v.axes.length !== 3) formatError(`${c.where}: ${where} has rank ${v.axes.length}, expected 3`);
  const single = (k: number, role: string): Atom => {
    const s = v.axes[k].filter((a) => a.size !== 1 || c.roles.of(a) !== null);
    if (s.length !== 1) formatError(`${c.where}: the ${role} axis of ${where} merges several axes`);
    return s[0];
  };
  const [ti, bi] = layout === 0 ? [0, 1] : [1, 0];
  const time = single(ti, 'time');
  const batch = single(bi, 'batch');
  c.roles.bind(time, 'time', c.where);
  c.roles.bind(batch, 'batch', c.where);
  const feats = featureAtoms(v.port, c.roles);
  if (!feats.length || !sameAtoms(v.axes[2], feats, c.roles) || !v.port.atoms.includes(time) || !v.port.atoms.includes(batch)) {
    formatError(`${c.where}: ${where} is not a whole sequence of ${v.port.owner.origin}`);
  }
  if (v.reversed !== v.port.flipped) {
    formatError(`${c.where}: ${where} runs time backwards relative to ${v.port.owner.origin}, which no layer here can feed`);
  }
  return { port: use(v.port), time, batch };
}
