/**
 * Atoms: the indivisible axes of the tensors an imported model computes.
 *
 * Every tensor that carries data (not a constant) is a *view* of one output
 * of one of our layers (a port). The port's memory is Keras's batch-major
 * layout: (batch, time, features) or (batch, features), where "features" may
 * itself be several atoms in row-major order (a bidirectional output is
 * (direction, hidden): concat mode's [forward | backward]). An exporter's
 * Transpose, Squeeze, Unsqueeze and Reshape only regroup and reorder atoms,
 * so following atoms through them tells exactly which tensor each ONNX
 * tensor is, whatever idiom produced it.
 *
 * Sizes are numbers, or null for the run-time batch and time lengths.
 * Roles: which atom is the batch axis and which the time axis. Graph inputs
 * get soft roles from their rank ((batch, time[, features])); a recurrent
 * node's X (time, batch, features) fixes them for good, which is how a
 * time-major (batch_first = False) model is recognised.
 */
import { formatError } from '../core.js';

export interface Atom {
  readonly id: string;
  /** null: known only at run time */
  readonly size: number | null;
}

export type Role = 'batch' | 'time';

/** A dimension: k times the product of run-time sizes `s` (atom ids, sorted). */
export interface Dim {
  k: number;
  s: string[];
}

export function numDim(k: number): Dim {
  return { k, s: [] };
}

export function eqDim(a: Dim, b: Dim): boolean {
  return a.k === b.k && a.s.length === b.s.length && a.s.every((x, i) => x === b.s[i]);
}

export function mulDim(a: Dim, b: Dim): Dim {
  return { k: a.k * b.k, s: [...a.s, ...b.s].sort() };
}

export function fmtDim(d: Dim): string {
  if (d.s.length === 0) return String(d.k);
  return (d.k === 1 ? [] : [String(d.k)]).concat(d.s).join('*');
}

let atomIds = 0;

export function newAtom(prefix: string, size: number | null): Atom {
  return { id: `${prefix}#${++atomIds}`, size };
}

/** Roles of atoms, soft (a guess from a graph input's rank) or hard (required by a recurrent node). */
export class Roles {
  private readonly role = new Map<string, { role: Role; hard: boolean; group: Atom[] }>();

  /** Soft roles for a graph input's atoms, in order: batch, then time (rank 3 or ids). */
  guess(atoms: Atom[], roles: (Role | null)[]): void {
    atoms.forEach((a, i) => {
      const r = roles[i];
      if (r) this.role.set(a.id, { role: r, hard: false, group: atoms });
    });
  }

  of(a: Atom): Role | null {
    return this.role.get(a.id)?.role ?? null;
  }

  /**
   * Require `a` to be the `role` axis. A soft guess that disagrees is swapped
   * with its sibling of that role (a time-major input); a hard one is an error.
   */
  bind(a: Atom, role: Role, where: string): void {
    const cur = this.role.get(a.id);
    if (cur?.role === role) {
      cur.hard = true;
      return;
    }
    if (cur?.hard) formatError(`${where}: uses the ${cur.role} axis as its ${role} axis`);
    const group = cur?.group ?? [a];
    const sibling = group.find((b) => b !== a && this.role.get(b.id)?.role === role);
    const sib = sibling ? this.role.get(sibling.id)! : null;
    if (sib?.hard) formatError(`${where}: uses an axis as its ${role} axis that another node uses otherwise`);
    if (sibling) {
      if (cur) this.role.set(sibling.id, { role: cur.role, hard: false, group });
      else this.role.delete(sibling.id);
    }
    this.role.set(a.id, { role, hard: true, group });
  }
}

/** Atoms that change nothing in memory: size 1 and no role. */
export function isUnit(a: Atom, roles: Roles): boolean {
  return a.size === 1 && roles.of(a) === null;
}

export function dimOf(atoms: readonly Atom[]): Dim {
  let k = 1;
  const s: string[] = [];
  for (const a of atoms) {
    if (a.size === null) s.push(a.id);
    else k *= a.size;
  }
  return { k, s: s.sort() };
}
