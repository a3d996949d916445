/**
 * Layout ops on data views: they regroup and reorder atoms, never touch
 * numbers. Each returns the new view or throws E_FORMAT saying why the
 * tensor it would make is not one of our layers' outputs.
 */
import { formatError } from '../core.js';
import { dimOf, eqDim, fmtDim, isUnit, type Atom, type Dim, type Roles } from './atoms.js';
import type { DataValue, Port } from './values.js';

export function dims(v: DataValue): Dim[] {
  return v.axes.map(dimOf);
}

export function normAxis(where: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) formatError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function transpose(where: string, v: DataValue, perm: number[] | null): DataValue {
  const r = v.axes.length;
  const p = perm ?? v.axes.map((_, i) => r - 1 - i);
  if (p.length !== r || new Set(p).size !== r || p.some((x) => !Number.isInteger(x) || x < 0 || x >= r)) {
    formatError(`${where}: perm [${p.join(', ')}] is not a permutation of ${r} axes`);
  }
  return { ...v, axes: p.map((i) => v.axes[i]) };
}

export function squeeze(where: string, v: DataValue, axes: number[] | null, roles: Roles): DataValue {
  const r = v.axes.length;
  const drop = new Set(
    axes
      ? axes.map((a) => normAxis(where, a, r))
      : v.axes.map((_, i) => i).filter((i) => dimOf(v.axes[i]).k === 1 && dimOf(v.axes[i]).s.length === 0),
  );
  for (const i of drop) {
    const d = dimOf(v.axes[i]);
    if (d.k !== 1 || d.s.length !== 0) formatError(`${where}: squeezes axis ${i} of size ${fmtDim(d)}`);
    const role = v.axes[i].map((a) => roles.of(a)).find((x) => x);
    if (role) formatError(`${where}: squeezes away the ${role} axis`);
  }
  return { ...v, axes: v.axes.filter((_, i) => !drop.has(i)) };
}

export function unsqueeze(where: string, v: DataValue, axes: number[]): DataValue {
  const r = v.axes.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(where, a, r)));
  if (at.size !== axes.length) formatError(`${where}: repeated axes [${axes.join(', ')}]`);
  const out: Atom[][] = [];
  let k = 0;
  for (let i = 0; i < r; i++) out.push(at.has(i) ? [] : v.axes[k++]);
  return { ...v, axes: out };
}

/**
 * Reshape as a regrouping of the atom stream. `target` entries: a Dim, or
 * -1 (inferred). Groups are matched from the left up to the -1 and from the
 * right after it; the -1 takes what is left. A shape that would split an
 * atom (or mix atoms across a reorder) is not a regrouping: an error.
 */
export function reshape(where: string, v: DataValue, target: (Dim | -1)[], roles: Roles): DataValue {
  const stream = v.axes.flat();
  const minus = target.indexOf(-1);
  if (minus >= 0 && target.indexOf(-1, minus + 1) >= 0) formatError(`${where}: more than one -1 in the shape`);
  const fail = (): never =>
    formatError(
      `${where}: reshapes [${dims(v).map(fmtDim).join(', ')}] to [${target.map((d) => (d === -1 ? '-1' : fmtDim(d))).join(', ')}], which regroups no whole axes`,
    );
  const take = (atoms: Atom[], d: Dim, fromRight: boolean): Atom[] => {
    const group: Atom[] = [];
    const next = () => (fromRight ? atoms.pop() : atoms.shift());
    const peek = () => (fromRight ? atoms[atoms.length - 1] : atoms[0]);
    if (d.k === 1 && d.s.length === 0) {
      // a unit axis: one unit atom if there is one here, else a new empty axis
      if (peek()?.size === 1) group.push(next()!);
      return group;
    }
    while (!eqDim(dimOf(group), d)) {
      const a = next();
      if (!a) fail();
      if (fromRight) group.unshift(a!);
      else group.push(a!);
      const g = dimOf(group);
      if (g.s.length === d.s.length && g.s.every((x, i) => x === d.s[i]) && g.k > d.k) fail();
    }
    return group;
  };
  const atoms = [...stream];
  const left = (minus >= 0 ? target.slice(0, minus) : target) as Dim[];
  const right = (minus >= 0 ? target.slice(minus + 1) : []) as Dim[];
  const groupsLeft = left.map((d) => take(atoms, d, false));
  const groupsRight = right
    .reverse()
    .map((d) => take(atoms, d, true))
    .reverse();
  let middle: Atom[][] = [];
  if (minus >= 0) middle = [atoms.splice(0)];
  // what is left over must change nothing in memory (units), unless a role atom of size 1
  for (const a of atoms) {
    if (a.size !== 1) fail();
    if (roles.of(a)) fail();
  }
  return { ...v, axes: [...groupsLeft, ...middle, ...groupsRight] };
}

/** Flatten(axis): two axes, [0, axis) and [axis, rank). */
export function flatten(where: string, v: DataValue, axis: number): DataValue {
  const r = v.axes.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) formatError(`${where}: axis ${axis} is out of range for rank ${r}`);
  return { ...v, axes: [v.axes.slice(0, a).flat(), v.axes.slice(a).flat()] };
}

// -------------------------------------------------------------- checks

/** A port's atoms that matter, in memory order. */
function significant(atoms: readonly Atom[], roles: Roles): Atom[] {
  return atoms.filter((a) => !isUnit(a, roles));
}

export function batchAtom(p: Port, roles: Roles): Atom | null {
  return p.atoms.find((a) => roles.of(a) === 'batch') ?? null;
}

export function timeAtom(p: Port, roles: Roles): Atom | null {
  return p.atoms.find((a) => roles.of(a) === 'time') ?? null;
}

/** The feature atoms of a port, row-major: everything but batch and time (possibly all of size 1). */
export function featureAtoms(p: Port, roles: Roles): Atom[] {
  return p.atoms.filter((a) => roles.of(a) === null);
}

export function sameAtoms(a: readonly Atom[], b: readonly Atom[], roles: Roles): boolean {
  const x = significant(a, roles);
  const y = significant(b, roles);
  return x.length === y.length && x.every((t, i) => t === y[i]);
}

/**
 * What each axis of a view is, or null when an axis mixes them. Features of
 * size 1 (a Dense with one unit) may be squeezed away.
 */
export function axisMeanings(v: DataValue, roles: Roles): ('batch' | 'time' | 'features' | 'unit')[] | null {
  const feats = featureAtoms(v.port, roles);
  const unitFeatures = feats.every((a) => a.size === 1);
  const seen = new Set<string>();
  const out: ('batch' | 'time' | 'features' | 'unit')[] = [];
  for (const axis of v.axes) {
    const s = significant(axis, roles);
    if (s.length === 0)
      out.push(unitFeatures && feats.length > 0 && axis.length > 0 && axis.every((a) => feats.includes(a)) ? 'features' : 'unit');
    else if (s.length === 1 && roles.of(s[0])) out.push(roles.of(s[0])!);
    else if (sameAtoms(s, feats, roles)) out.push('features');
    else return null;
    const m = out[out.length - 1];
    if (m !== 'unit') {
      if (seen.has(m)) return null;
      seen.add(m);
    }
  }
  // every axis of the port that holds data must be somewhere in the view
  const need = ['batch', ...(timeAtom(v.port, roles) ? ['time'] : []), ...(unitFeatures ? [] : ['features'])];
  for (const m of need) if (!seen.has(m)) return null;
  return out;
}

/** The view is the port's memory as Keras lays it out: (batch, [time,] features). */
export function isKerasLayout(v: DataValue, roles: Roles): boolean {
  if (v.fixed.length || v.reversed !== v.port.flipped) return false;
  const m = axisMeanings(v, roles);
  if (!m) return false;
  const want = timeAtom(v.port, roles) ? ['batch', 'time', 'features'] : ['batch', 'features'];
  return m.length === want.length && m.every((x, i) => x === want[i] || (x === 'unit' && want[i] === 'features'));
}
