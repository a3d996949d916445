/** The activation kernels of assembly/activations.ts. `act` is an ACT_* id (abi.ts). */
import { bool, dim, i32, inp, kernel, out, outAcc } from './params.js';

/** y (n) = f(x (n)) for one fixed f: the exports that name their activation. y may alias x. */
const fixed = (wasm: string) =>
  kernel({
    wasm,
    params: { y: out('n'), x: inp('n'), n: dim() },
  });

export const ACTIVATION_KERNELS = {
  /** y (n) = sigmoid(x (n)). y may alias x. */
  sigmoid: fixed('sigmoid_f32'),
  /** y (n) = tanh(x (n)). y may alias x. */
  tanh: fixed('tanh_f32'),
  /** y (n) = relu(x (n)). y may alias x. */
  relu: fixed('relu_f32'),
  /** y (n) = hardSigmoid(x (n)). y may alias x. */
  hardSigmoid: fixed('hard_sigmoid_f32'),
  /** y (n) = act(x (n)), act any ACT_* id but softmax. y may alias x. */
  activation: kernel({
    wasm: 'activation_forward_f32',
    params: { y: out('n'), x: inp('n'), n: dim(), act: i32() },
  }),
  /** dx (n) =|+= dy (n) · act'(x), written through y = act(x) (n). */
  activationBackward: kernel({
    wasm: 'activation_backward_f32',
    params: { dx: outAcc('n'), y: inp('n'), dy: inp('n'), n: dim(), act: i32(), accumulate: bool() },
  }),
  /** y (R,C) = softmax of each row of x (R,C). y may alias x. */
  softmaxRows: kernel({
    wasm: 'softmax_rows_f32',
    params: { y: out('R,C'), x: inp('R,C'), R: dim(), C: dim() },
  }),
  /** dx (R,C) =|+= y ⊙ (dy − Σ_row y·dy), from y = softmax(x) (R,C) and dy (R,C). */
  softmaxRowsBackward: kernel({
    wasm: 'softmax_rows_backward_f32',
    params: { dx: outAcc('R,C'), y: inp('R,C'), dy: inp('R,C'), R: dim(), C: dim(), accumulate: bool() },
  }),
};
