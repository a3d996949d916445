/**
 * ONNX LSTM / GRU / RNN -> our LSTM / GRU / SimpleRNN, or a Bidirectional
 * of one. Weights go to Keras layouts (layouts.ts): gate order iofc -> ifco
 * for LSTM, zrh stays for GRU; the two ONNX biases add up into our one,
 * except GRU linear_before_reset = 1, which is Keras resetAfter = true and
 * keeps them apart. (With linear_before_reset = 0 the recurrent bias of the
 * candidate, Rbh, sits outside the reset product in ONNX's equations, so
 * it adds to Wbh exactly.) Peepholes P (i, o, f) become ours (i, f, o).
 *
 * What our layers do not compute is an error naming the node: cell clip,
 * coupled input-forget gates, activations other than ours, per-row
 * sequence lengths, non-zero constant initial states.
 */
import { formatError } from '../core.js';
import type { IrWeight } from '../ir.js';
import { add, kerasKernel, kerasPeepholes, kerasVector, RECURRENT_ACTIVATIONS, type Cell } from '../layouts.js';
import type { ConstTensor } from '../tensor_proto.js';
import { isUnit, newAtom, type Atom } from './atoms.js';
import { need, optionalConst, type Ctx } from './context.js';
import { sequenceInput, use } from './consume.js';
import { allEqual } from './fold.js';
import { maskingEmbedding } from './ops_mask.js';
import { featureAtoms, sameAtoms } from './views.js';
import { port, type Direction, type Port, type Value } from './values.js';

type Handler = (c: Ctx) => Value[];

const CELLS: Record<string, Cell> = { LSTM: 'LSTM', GRU: 'GRU', RNN: 'SimpleRNN' };
const GATES: Record<Cell, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };
/** activation functions per direction, and ONNX's defaults */
const DEFAULT_ACTS: Record<Cell, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], SimpleRNN: ['Tanh'] };
/** ONNX activation functions that take alpha / beta (consumed in list order, as ONNX Runtime does) */
const PARAMS: Record<string, number> = { affine: 2, leakyrelu: 1, thresholdedrelu: 1, scaledtanh: 2, hardsigmoid: 2, elu: 1 };

/** ONNX activation (with its parameters) -> our activation name. */
function ourActivation(c: Ctx, name: string, alpha: number | undefined, beta: number | undefined): string {
  const key = name.toLowerCase();
  for (const [ours, spec] of Object.entries(RECURRENT_ACTIVATIONS)) {
    if (spec.onnx.toLowerCase() !== key) continue;
    const a = alpha ?? spec.alpha;
    const b = beta ?? spec.beta;
    if (spec.alpha !== undefined && (Math.abs((a ?? NaN) - spec.alpha) > 1e-6 || Math.abs((b ?? NaN) - (spec.beta ?? 0)) > 1e-6)) continue;
    return ours;
  }
  return formatError(
    `${c.where}: activation ${name}${alpha !== undefined ? `(alpha ${alpha}, beta ${beta})` : ''} is not one of ours ` +
      '(Sigmoid, Tanh, Relu, HardSigmoid(0.2, 0.5), Affine(1, 0))',
  );
}

function activations(c: Ctx, cell: Cell, D: number): string[] {
  const names = c.attrs.strings('activations') ?? [];
  const alphas = c.attrs.floats('activation_alpha') ?? [];
  const betas = c.attrs.floats('activation_beta') ?? [];
  const n = DEFAULT_ACTS[cell].length;
  const list = names.length ? names : Array.from({ length: D }, () => DEFAULT_ACTS[cell]).flat();
  if (list.length !== n * D) formatError(`${c.where}: ${list.length} activations given, expected ${n * D}`);
  let ai = 0;
  let bi = 0;
  const ours = list.map((name) => {
    const k = PARAMS[name.toLowerCase()] ?? 0;
    const alpha = k >= 1 && ai < alphas.length ? alphas[ai++] : undefined;
    const beta = k >= 2 && bi < betas.length ? betas[bi++] : undefined;
    return ourActivation(c, name, alpha, beta);
  });
  if (D === 2 && ours.slice(0, n).some((a, i) => a !== ours[n + i]))
    formatError(`${c.where}: the two directions use different activations`);
  return ours.slice(0, n);
}

function weightInput(c: Ctx, i: number, what: string, dims: number[]): ConstTensor | null {
  const t = optionalConst(c, i, what);
  if (!t) return null;
  if (t.dims.length !== dims.length || t.dims.some((d, k) => d !== dims[k]) || !(t.data instanceof Float32Array)) {
    formatError(`${c.where}: ${what} has shape [${t.dims.join(', ')}], expected float [${dims.join(', ')}]`);
  }
  return t;
}

/** An initial state: absent or zero is ours by default; a layer output is a functional model's initialState. */
function initialState(c: Ctx, i: number, what: string, D: number, H: number, batch: Atom, layout: number): Port | null {
  const v = c.input(i);
  if (!v) return null;
  if (v.kind === 'fill' && v.value === 0) return null;
  if (v.kind === 'const' && allEqual(v.t, 0)) return null;
  if (v.kind === 'fill' || v.kind === 'const')
    formatError(`${c.where}: ${what} is a non-zero constant; our layers start from zeros or from another layer's state`);
  if (v.kind !== 'data') return formatError(`${c.where}: ${what} is not a state we can follow`);
  if (D !== 1) formatError(`${c.where}: ${what} of a bidirectional layer comes from the graph (not supported)`);
  // (1, batch, H) for layout 0, (batch, 1, H) for layout 1
  const axes = v.axes;
  const [bAxis, dAxis] = layout === 0 ? [1, 0] : [0, 1];
  const sig = (k: number) => axes[k].filter((a) => !isUnit(a, c.roles));
  if (axes.length !== 3 || sig(dAxis).length !== 0 || sig(bAxis).length !== 1 || v.fixed.length) {
    formatError(`${c.where}: ${what} is not a (1, batch, ${H}) state`);
  }
  c.roles.bind(sig(bAxis)[0], 'batch', c.where);
  if (sig(bAxis)[0] !== batch && batch.size !== null) formatError(`${c.where}: ${what} has another batch axis than X`);
  const feats = featureAtoms(v.port, c.roles);
  if (!sameAtoms(axes[2], feats, c.roles)) formatError(`${c.where}: ${what} is not a whole layer output of ${H} features`);
  return use(v.port);
}

function sequenceLengths(c: Ctx, time: Atom, x: Port): void {
  const v = c.input(4);
  if (!v) return;
  if (v.kind === 'const' && time.size !== null && allEqual(v.t, time.size)) return; // every row full: no-op
  if (v.kind === 'lens') return maskingEmbedding(c, x, v.ids);
  formatError(
    `${c.where}: sequence_lens gives rows their own lengths; our recurrent layers take padding as a mask ` +
      '(embedding({ maskZero: true }), id 0 = padding), which sequence_lens can only be when it counts the non-zero ids. Export without sequence_lens',
  );
}

const recurrent: Handler = (c) => {
  const cell = CELLS[c.node.opType];
  const a = c.attrs;
  const H = a.int('hidden_size', 0);
  if (!(H >= 1 && H <= 1 << 24)) formatError(`${c.where}: hidden_size ${H} is missing or out of range`);
  const direction = a.string('direction', 'forward') as Direction;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) formatError(`${c.where}: direction '${direction}'`);
  const D = direction === 'bidirectional' ? 2 : 1;
  const layout = c.opset >= 14 ? a.int('layout', 0) : 0;
  if (layout !== 0 && layout !== 1) formatError(`${c.where}: layout ${layout}`);
  if (a.has('clip')) formatError(`${c.where}: clip = ${a.float('clip', 0)}: our cells do not clip; export without a cell clip`);
  if (cell === 'LSTM' && a.int('input_forget', 0) !== 0)
    formatError(`${c.where}: input_forget = 1 (coupled input and forget gates) is not an LSTM we have`);
  const lbr = cell === 'GRU' ? a.int('linear_before_reset', 0) : 0;
  const acts = activations(c, cell, D);

  const X = need(c, 0, 'X');
  if (X.kind !== 'data') formatError(`${c.where}: X is ${X.kind === 'const' ? 'a constant' : 'not a layer output'}`);
  const { port: input, time, batch } = sequenceInput(c, X, layout);
  const I = featureAtoms(input, c.roles).reduce((n, atom) => n * (atom.size ?? NaN), 1);
  const G = GATES[cell];
  const W = weightInput(c, 1, 'W', [D, G * H, I]) ?? formatError(`${c.where}: W is missing`);
  const R = weightInput(c, 2, 'R', [D, G * H, H]) ?? formatError(`${c.where}: R is missing`);
  const B = weightInput(c, 3, 'B', [D, 2 * G * H]);
  const P = cell === 'LSTM' ? weightInput(c, 7, 'P', [D, 3 * H]) : null;
  sequenceLengths(c, time, input);
  const h0 = initialState(c, 5, 'initial_h', D, H, batch, layout);
  const c0 = cell === 'LSTM' ? initialState(c, 6, 'initial_c', D, H, batch, layout) : null;
  if ((h0 === null) !== (c0 === null) && cell === 'LSTM') formatError(`${c.where}: gives one initial state but not the other`);

  const perDirection: IrWeight[][] = [];
  for (let d = 0; d < D; d++) {
    const w = (W.data as Float32Array).subarray(d * G * H * I, (d + 1) * G * H * I);
    const r = (R.data as Float32Array).subarray(d * G * H * H, (d + 1) * G * H * H);
    const ws: IrWeight[] = [
      { name: 'kernel', shape: [I, G * H], data: kerasKernel(w, cell, H, I) },
      { name: 'recurrent_kernel', shape: [H, G * H], data: kerasKernel(r, cell, H, H) },
    ];
    if (B) {
      const b = (B.data as Float32Array).subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
      const wb = kerasVector(b.subarray(0, G * H), cell, H);
      const rb = kerasVector(b.subarray(G * H), cell, H);
      if (lbr) {
        const both = new Float32Array(2 * G * H);
        both.set(wb, 0);
        both.set(rb, G * H);
        ws.push({ name: 'bias', shape: [2, G * H], data: both });
      } else {
        ws.push({ name: 'bias', shape: [G * H], data: add(wb, rb) });
      }
    }
    if (P) {
      const [pi, pf, po] = kerasPeepholes((P.data as Float32Array).subarray(d * 3 * H, (d + 1) * 3 * H), H);
      ws.push({ name: 'input_gate_peephole_weights', shape: [H], data: pi });
      ws.push({ name: 'forget_gate_peephole_weights', shape: [H], data: pf });
      ws.push({ name: 'output_gate_peephole_weights', shape: [H], data: po });
    }
    perDirection.push(ws);
  }
  const cellConfig: Record<string, unknown> = { units: H, activation: cell === 'SimpleRNN' ? acts[0] : acts[1], useBias: B !== null };
  if (cell !== 'SimpleRNN') cellConfig.recurrentActivation = acts[0];
  if (cell === 'LSTM') {
    if (acts[1] !== acts[2])
      formatError(`${c.where}: cell activation ${acts[1]} differs from the output activation ${acts[2]} (ours share one)`);
    cellConfig.peephole = P !== null;
  }
  if (cell === 'GRU') cellConfig.resetAfter = lbr !== 0;

  const hAtom = newAtom('hidden', H);
  const dAtom = D === 2 ? newAtom('direction', 2) : null;
  const draft = c.addDraft({
    className: D === 2 ? 'Bidirectional' : cell,
    origin: c.where,
    inputs: [input],
    initialState: h0 ? (c0 ? [h0, c0] : [h0]) : [],
    config: {},
    weights: [],
    rnn: { cell, direction, cellConfig, perDirection, time, D: dAtom, H: hAtom, mergeMode: null },
  });
  const dirAxis = dAtom ? [dAtom] : [];
  const flipped = direction === 'reverse';
  const yPort = port(draft, 'y', [batch, time, ...dirAxis, hAtom], flipped);
  const hPort = port(draft, 'h', [batch, ...dirAxis, hAtom]);
  const cPort = cell === 'LSTM' ? port(draft, 'c', [batch, ...dirAxis, hAtom]) : null;
  const view = (p: Port, axes: Atom[][]): Value => ({ kind: 'data', port: p, axes, fixed: [], reversed: false });
  const y = layout === 0 ? [[time], dirAxis, [batch], [hAtom]] : [[batch], [time], dirAxis, [hAtom]];
  const s = layout === 0 ? [dirAxis, [batch], [hAtom]] : [[batch], dirAxis, [hAtom]];
  return [view(yPort, y), view(hPort, s), ...(cPort ? [view(cPort, s)] : [])];
};

export const RECURRENT_OPS: Record<string, Handler> = { LSTM: recurrent, GRU: recurrent, RNN: recurrent };
