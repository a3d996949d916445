/**
 * The fused loss kernels of assembly/loss.ts. Each returns Σ w·loss (float64)
 * and writes the gradient with respect to its logits / outputs, times scale.
 * w (N) per-row weights, or null for all ones.
 */
import { bool, dim, f32, inp, kernel, opt, out } from './params.js';

export const LOSS_KERNELS = {
  /** Σ w·BCE(σ(z), y) over z, y (N,C); dz (N,C) = w·(σ(z) − y)·scale. */
  bceLogits: kernel({
    wasm: 'bce_logits_f32',
    params: { dz: out('N,C'), z: inp('N,C'), y: inp('N,C'), w: opt(inp('N')), N: dim(), C: dim(), scale: f32() },
    returns: 'f64',
  }),
  /**
   * Σ w·CE(softmax(z), y) over z (N,C); labels (N) int32 ids when sparse, else (N,C) float32 distributions;
   * dz (N,C) = w·(softmax(z) − y)·scale.
   */
  softmaxCe: kernel({
    wasm: 'softmax_ce_f32',
    params: {
      dz: out('N,C'),
      z: inp('N,C'),
      labels: inp(
        (a) => (a.sparse ? 'N' : 'N,C'),
        (a) => (a.sparse ? 'i32' : 'f32'),
      ),
      w: opt(inp('N')),
      N: dim(),
      C: dim(),
      sparse: bool(),
      scale: f32(),
    },
    returns: 'f64',
  }),
  /** Σ w·|out − y|² over out, y (N,C); dout (N,C) = 2·w·(out − y)·scale. */
  mse: kernel({
    wasm: 'mse_f32',
    params: { dout: out('N,C'), out: inp('N,C'), y: inp('N,C'), w: opt(inp('N')), N: dim(), C: dim(), scale: f32() },
    returns: 'f64',
  }),
};
