/**
 * SimpleRNN / LSTM / GRU, alone or in a Bidirectional, as one ONNX RNN /
 * LSTM / GRU node (layout 0, which every runtime implements):
 *
 *   x (B, T, I) -Transpose-> (T, B, I) -op-> Y (T, D, B, H), Y_h, Y_c (D, B, H)
 *   sequence:  Y -Transpose-> (B, T, D, H) -Reshape-> (B, T, D·H)   concat / one direction
 *              or -ReduceSum / ReduceMean / ReduceProd over D->      mergeMode sum / ave / mul
 *   final:     Y_h -Transpose-> (B, D, H) -Reshape-> (B, D·H)        (or reduced over D)
 *
 * mergeMode null: each direction's sequence (Gather on the direction axis)
 * or final state, forward first. returnState: h (and c) per direction,
 * forward first, as Keras orders them. Initial states given at the call
 * (an encoder's states starting a decoder) are unsqueezed (and, for both
 * directions, concatenated) into initial_h / initial_c.
 *
 * goBackwards is direction 'reverse'; ONNX keeps its sequence in input
 * order where Keras returns processing order, so the sequence is flipped
 * back (Slice with step -1). Weights: layouts.ts; GRU resetAfter is
 * linear_before_reset = 1 with the two biases kept apart, resetAfter false
 * is linear_before_reset = 0 with the recurrent bias zero.
 */
import { gateCount, onnxKernel, onnxPeepholes, onnxVector, RECURRENT_ACTIVATIONS, type Cell } from '../layouts.js';
import type { IrWeight } from '../ir.js';
import { TensorProto_DataType as DT } from '../proto/onnx_pb.js';
import { valueInfo, type AttrValue } from './writer.js';
import type { EmitContext, Emitted } from './emit.js';

const OPS: Record<Cell, string> = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' };
const MERGE_REDUCE: Record<string, string> = { sum: 'ReduceSum', ave: 'ReduceMean', mul: 'ReduceProd' };
const INT64_MIN = -(2n ** 63n);

interface Direction {
  config: Record<string, unknown>;
  weights: IrWeight[];
}

export function emitRecurrent(c: EmitContext): Emitted[] {
  const { w, layer, prefix, x } = c;
  const bidirectional = layer.className === 'Bidirectional';
  const inner = bidirectional
    ? (layer.config.layer as { className: string; config: Record<string, unknown> })
    : { className: layer.className, config: layer.config };
  const cell = inner.className as Cell;
  const cfg = inner.config;
  const dirs: Direction[] = bidirectional
    ? [
        { config: cfg, weights: layer.weights.slice(0, layer.weights.length / 2) },
        { config: cfg, weights: layer.weights.slice(layer.weights.length / 2) },
      ]
    : [{ config: cfg, weights: layer.weights }];
  const D = dirs.length;
  const H = cfg.units as number;
  const G = gateCount(cell);
  const I = layer.weights[0].shape[0];
  const problem = (m: string) => c.problems.push(`${layer.origin}: ${m}`);
  const stateful = cfg.stateful === true;
  if (stateful && bidirectional) problem('a stateful Bidirectional');
  if (bidirectional && cfg.goBackwards) problem('Bidirectional over a goBackwards layer');
  const mergeMode = bidirectional ? (layer.config.mergeMode as string | null) : 'concat';
  if (stateful && c.states.length) problem('stateful and given initial states');

  // weights, stacked over directions
  const useBias = cfg.useBias !== false;
  const peephole = cell === 'LSTM' && cfg.peephole === true;
  const W = new Float32Array(D * G * H * I);
  const R = new Float32Array(D * G * H * H);
  const B = new Float32Array(D * 2 * G * H);
  const P = new Float32Array(D * 3 * H);
  dirs.forEach((d, k) => {
    const [kernel, recurrent, ...rest] = d.weights;
    W.set(onnxKernel(kernel.data, cell, H, I), k * G * H * I);
    R.set(onnxKernel(recurrent.data, cell, H, H), k * G * H * H);
    let next = 0;
    if (useBias) {
      const bias = rest[next++];
      const two = cell === 'GRU' && cfg.resetAfter === true;
      B.set(onnxVector(two ? bias.data.subarray(0, G * H) : bias.data, cell, H), k * 2 * G * H);
      if (two) B.set(onnxVector(bias.data.subarray(G * H), cell, H), k * 2 * G * H + G * H);
    }
    if (peephole) P.set(onnxPeepholes(rest[next].data, rest[next + 1].data, rest[next + 2].data), k * 3 * H);
  });

  // attributes
  const attrs: Record<string, AttrValue> = { hidden_size: { i: H } };
  const direction = bidirectional ? 'bidirectional' : cfg.goBackwards ? 'reverse' : 'forward';
  if (direction !== 'forward') attrs.direction = { s: direction };
  const acts =
    cell === 'LSTM'
      ? [cfg.recurrentActivation, cfg.activation, cfg.activation]
      : cell === 'GRU'
        ? [cfg.recurrentActivation, cfg.activation]
        : [cfg.activation];
  const names: string[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  for (let d = 0; d < D; d++) {
    for (const a of acts) {
      const spec = RECURRENT_ACTIVATIONS[a as string];
      if (!spec) {
        problem(`activation ${String(a)}`);
        continue;
      }
      names.push(spec.onnx);
      if (spec.alpha !== undefined) alphas.push(spec.alpha);
      if (spec.beta !== undefined) betas.push(spec.beta);
    }
  }
  const defaults = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], SimpleRNN: ['Tanh'] }[cell];
  if (names.some((n, i) => n !== defaults[i % defaults.length])) {
    attrs.activations = { strings: names };
    if (alphas.length) attrs.activation_alpha = { floats: alphas };
    if (betas.length) attrs.activation_beta = { floats: betas };
  }
  if (cell === 'GRU' && cfg.resetAfter === true) attrs.linear_before_reset = { i: 1 };

  // the node
  const xt = w.op('Transpose', `${prefix}/to_time_major`, [x.tensor], { perm: { ints: [1, 0, 2] } });
  const kinds = cell === 'LSTM' ? ['h', 'c'] : ['h'];
  const carried = stateful && !bidirectional ? kinds : [];
  let initial = carried.map((s) => {
    const name = w.reserve(`${prefix}/${s}_in`);
    c.stateInputs.push(valueInfo(name, DT.FLOAT, ['batch', H]));
    return w.op('Unsqueeze', `${prefix}/initial_${s}`, [name, w.int64s([0])]);
  });
  if (c.states.length) {
    // given states, Keras order: the forward direction's (h, c), then the backward's
    initial = kinds.map((s, k) => {
      const parts = Array.from({ length: D }, (_, d) =>
        w.op('Unsqueeze', `${prefix}/initial_${s}_${d}`, [c.states[d * kinds.length + k].tensor, w.int64s([0])]),
      );
      return D === 1 ? parts[0] : w.op('Concat', `${prefix}/initial_${s}`, parts, { axis: { i: 0 } });
    });
  }
  const inputs = [
    xt,
    w.floats(`${prefix}/W`, [D, G * H, I], W),
    w.floats(`${prefix}/R`, [D, G * H, H], R),
    useBias ? w.floats(`${prefix}/B`, [D, 2 * G * H], B) : '',
    x.lens ?? '',
    initial[0] ?? '',
    initial[1] ?? '',
    peephole ? w.floats(`${prefix}/P`, [D, 3 * H], P) : '',
  ].slice(0, cell === 'LSTM' ? 8 : 6);
  const seq = cfg.returnSequences === true;
  const state = cfg.returnState === true;
  const [Y, Yh, Yc] = w.node(
    OPS[cell],
    `${prefix}/${OPS[cell]}`,
    inputs,
    [
      seq ? `${prefix}/Y` : '',
      !seq || state || stateful ? `${prefix}/Y_h` : '',
      cell === 'LSTM' && (state || stateful) ? `${prefix}/Y_c` : '',
    ].slice(0, cell === 'LSTM' ? 3 : 2),
    attrs,
  );
  carried.forEach((s, k) => {
    const final = w.op('Squeeze', `${prefix}/final_${s}`, [[Yh, Yc][k], w.int64s([0])]);
    c.stateOutputs.push({ name: `${prefix}/${s}_out`, tensor: final, units: H });
  });

  const pick = (t: string, d: number, axis: number, name: string) => w.op('Gather', name, [t, w.intScalar(d, true)], { axis: { i: axis } });
  const out: Emitted[] = [];
  if (mergeMode === null) {
    // separate outputs: the forward sequence (or final state), then the backward one
    for (let d = 0; d < 2; d++) {
      const dir = d === 0 ? 'forward' : 'backward';
      const t = seq
        ? w.op('Transpose', `${prefix}/${dir}_batch_major`, [pick(Y, d, 1, `${prefix}/${dir}_sequence`)], { perm: { ints: [1, 0, 2] } })
        : pick(Yh, d, 0, `${prefix}/${dir}_final_state`);
      out.push({ tensor: t, lens: seq ? x.lens : null });
    }
  }
  let main = '';
  if (mergeMode === null) {
    // done above
  } else if (seq) {
    if (mergeMode === 'concat') {
      const bt = w.op('Transpose', `${prefix}/to_batch_major`, [Y], { perm: { ints: [2, 0, 1, 3] } });
      main = w.op('Reshape', `${prefix}/merge_directions`, [bt, w.int64s([0, 0, -1])]);
    } else {
      const merged = reduce(c, MERGE_REDUCE[mergeMode!], `${prefix}/merge_directions`, Y, 1);
      main = w.op('Transpose', `${prefix}/to_batch_major`, [merged], { perm: { ints: [1, 0, 2] } });
    }
    if (direction === 'reverse') {
      main = w.op('Slice', `${prefix}/processing_order`, [main, w.int64s([-1]), w.int64s([INT64_MIN]), w.int64s([1]), w.int64s([-1])]);
    }
  } else if (mergeMode === 'concat') {
    const bt = w.op('Transpose', `${prefix}/final_batch_major`, [Yh], { perm: { ints: [1, 0, 2] } });
    main = w.op('Reshape', `${prefix}/final_state`, [bt, w.int64s([0, -1])]);
  } else {
    main = reduce(c, MERGE_REDUCE[mergeMode!], `${prefix}/final_state`, Yh, 0);
  }
  if (mergeMode !== null) out.push({ tensor: main, lens: seq ? x.lens : null });
  if (state) {
    // Keras order: h (and c) of the forward direction, then of the backward one
    for (let d = 0; d < D; d++) {
      for (const [s, name] of [
        [Yh, 'state_h'],
        [Yc, 'state_c'],
      ] as const) {
        if (!s) continue;
        const t =
          D === 1
            ? w.op('Squeeze', `${prefix}/${name}`, [s, w.int64s([0])])
            : pick(s, d, 0, `${prefix}/${d ? 'backward' : 'forward'}_${name}`);
        out.push({ tensor: t, lens: null });
      }
    }
  }
  return out;
}

/** Reduce over one axis (keepdims 0); ReduceMean / ReduceProd take axes as an input only from opset 18. */
function reduce(c: EmitContext, op: string, name: string, x: string, axis: number): string {
  const { w } = c;
  if (op === 'ReduceSum' || w.opset >= 18) return w.op(op, name, [x, w.int64s([axis])], { keepdims: { i: 0 } });
  return w.op(op, name, [x], { axes: { ints: [axis] }, keepdims: { i: 0 } });
}
