/** The activation kernels of assembly/activations.ts. `act` is an ACT_* id (abi.ts). */
import { bool, dim, i32, inp, kernel, out, outAcc } from './params.js';

/** y (n) = f(x (n)) for one fixed f: the exports that name their activation. */
const fixed = (wasm: string, f: string) =>
  kernel({
    wasm,
    doc: `y (n) = ${f}(x (n)). y may alias x.`,
    params: { y: out('n'), x: inp('n'), n: dim() },
  });

export const ACTIVATION_KERNELS = {
  sigmoid: fixed('sigmoid_f32', 'sigmoid'),
  tanh: fixed('tanh_f32', 'tanh'),
  relu: fixed('relu_f32', 'relu'),
  hardSigmoid: fixed('hard_sigmoid_f32', 'hardSigmoid'),
  activation: kernel({
    wasm: 'activation_forward_f32',
    doc: 'y (n) = act(x (n)), act any ACT_* id but softmax. y may alias x.',
    params: { y: out('n'), x: inp('n'), n: dim(), act: i32() },
  }),
  activationBackward: kernel({
    wasm: 'activation_backward_f32',
    doc: "dx (n) =|+= dy (n) · act'(x), written through y = act(x) (n).",
    params: { dx: outAcc('n'), y: inp('n'), dy: inp('n'), n: dim(), act: i32(), accumulate: bool() },
  }),
  softmaxRows: kernel({
    wasm: 'softmax_rows_f32',
    doc: 'y (R,C) = softmax of each row of x (R,C). y may alias x.',
    params: { y: out('R,C'), x: inp('R,C'), R: dim(), C: dim() },
  }),
  softmaxRowsBackward: kernel({
    wasm: 'softmax_rows_backward_f32',
    doc: 'dx (R,C) =|+= y ⊙ (dy − Σ_row y·dy), from y = softmax(x) (R,C) and dy (R,C).',
    params: { dx: outAcc('R,C'), y: inp('R,C'), dy: inp('R,C'), R: dim(), C: dim(), accumulate: bool() },
  }),
};
