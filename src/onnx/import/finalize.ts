/**
 * Drafts -> IR, once every use is known: which outputs of each recurrent
 * node are read decides returnSequences / returnState (and the Keras index
 * of each output); only drafts that feed a graph output are kept.
 */
import type { AxisMeaning, IrGraph, IrInput, IrLayer, IrRef, IrOutput } from '../ir.js';
import type { Roles } from './atoms.js';
import { axisMeanings } from './views.js';
import type { Draft, Port, Value } from './values.js';

export interface GraphOutput {
  name: string;
  value: Value | undefined;
}

export function finalize(name: string, drafts: Draft[], outputs: GraphOutput[], roles: Roles, problems: string[]): IrGraph {
  const irOutputs: { name: string; port: Port; onnxAxes: AxisMeaning[] }[] = [];
  for (const o of outputs) {
    const v = o.value;
    if (!v || v.kind === 'poison') continue; // its producer is already reported
    if (v.kind !== 'data') {
      problems.push(
        `output '${o.name}': is ${v.kind === 'stack' ? "several layers' states concatenated (take one, e.g. h_n[-1])" : 'a constant, not computed from the inputs'}`,
      );
      continue;
    }
    const meanings = axisMeanings(v, roles);
    if (v.fixed.length) problems.push(`output '${o.name}': is one direction of ${v.port.owner.origin}'s bidirectional output`);
    else if (v.reversed !== v.port.flipped) problems.push(`output '${o.name}': runs time backwards relative to ${v.port.owner.origin}`);
    else if (!meanings) problems.push(`output '${o.name}': mixes axes of ${v.port.owner.origin}'s output`);
    else {
      v.port.owner.used.add(v.port.name);
      irOutputs.push({ name: o.name, port: v.port, onnxAxes: meanings });
    }
  }
  // live drafts: reachable backwards from the outputs
  const live = new Set<Draft>();
  const visit = (d: Draft) => {
    if (live.has(d)) return;
    live.add(d);
    for (const p of [...d.inputs, ...d.initialState]) visit(p.owner);
  };
  for (const o of irOutputs) visit(o.port.owner);
  // a recurrent node whose final state is two graph outputs returns its state (Keras: [h, h, c])
  const hOutputs = new Map<Draft, number>();
  for (const o of irOutputs) if (o.port.name === 'h') hOutputs.set(o.port.owner, (hOutputs.get(o.port.owner) ?? 0) + 1);
  for (const d of drafts) if (live.has(d) && d.rnn) configureRecurrent(d, (hOutputs.get(d) ?? 0) > 1, problems);

  const names = new Set<string>();
  const layerName = (d: Draft): string => {
    const base =
      (d.origin.match(/'([^']*)'/)?.[1] ?? d.className).replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]+/g, '_') || d.className.toLowerCase();
    let n = base;
    for (let k = 2; names.has(n); k++) n = `${base}_${k}`;
    names.add(n);
    return n;
  };
  const ref = (p: Port): IrRef => ({ node: p.owner.id, index: outputIndex(p) });
  /** graph outputs: a second read of a final h that is also the main output is Keras's output 1 */
  const seenH = new Set<Draft>();
  const outputRef = (p: Port): IrRef => {
    const r = ref(p);
    if (p.name === 'h' && r.index === 0 && p.owner.rnn?.returnState) {
      if (seenH.has(p.owner)) return { ...r, index: 1 };
      seenH.add(p.owner);
    }
    return r;
  };
  const inputs: IrInput[] = [];
  const layers: IrLayer[] = [];
  for (const d of drafts) {
    if (!live.has(d)) continue;
    if (d.kind === 'input') {
      const atoms = d.atoms!;
      const role = (i: number) => roles.of(atoms[i]);
      const onnxAxes: AxisMeaning[] = atoms.map((a, i) => role(i) ?? (a.size === 1 ? 'unit' : 'features'));
      const time = atoms.find((a) => roles.of(a) === 'time');
      const features = atoms.filter((a) => roles.of(a) === null);
      const shape = [...(time ? [time.size ?? -1] : []), ...features.map((a) => a.size ?? -1)];
      inputs.push({ id: d.id, name: d.name!, dtype: d.dtype!, shape: d.dtype === 'int32' ? [-1] : shape, onnxAxes });
      continue;
    }
    layers.push({
      id: d.id,
      className: d.className,
      config: { ...d.config, name: layerName(d) },
      weights: d.weights,
      inputs: d.inputs.map(ref),
      initialState: d.initialState.map(ref),
      origin: d.origin,
    });
  }
  const outs: IrOutput[] = irOutputs.map((o) => ({ name: o.name, ref: outputRef(o.port), onnxAxes: o.onnxAxes }));
  return { name, inputs, layers, outputs: outs };
}

/** returnSequences / returnState from the outputs read, and the Keras-shaped config. */
function configureRecurrent(d: Draft, twoFinalOutputs: boolean, problems: string[]): void {
  const r = d.rnn!;
  const seq = d.used.has('y');
  const state = d.used.has('c') || (seq && d.used.has('h')) || twoFinalOutputs;
  r.returnState = state;
  const own = { ...r.cellConfig, returnSequences: seq, ...(state ? { returnState: true } : {}) };
  if (r.direction === 'bidirectional') {
    if (state) problems.push(`${d.origin}: reads both the sequence and the final states of a bidirectional layer (not supported)`);
    d.config = { layer: { className: r.cell, config: own }, mergeMode: r.mergeMode ?? 'concat' };
    d.weights = [...r.perDirection[0], ...r.perDirection[1]];
  } else {
    d.config = { ...own, ...(r.direction === 'reverse' ? { goBackwards: true } : {}) };
    d.weights = r.perDirection[0];
  }
}

/** Keras output index of a port: [main, h, c] with returnState, else just main. */
function outputIndex(p: Port): number {
  const d = p.owner;
  if (!d.rnn || p.name === 'y' || !d.rnn.returnState) return 0;
  if (p.name === 'c') return 2;
  // h: the main output when the sequence is not returned, else output 1
  return d.used.has('y') ? 1 : 0;
}
