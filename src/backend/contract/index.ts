/**
 * The kernel table: every kernel once, merged from one file per assembly/
 * file. Everything else about a kernel's signature is derived from here
 * (docs/architecture.md, "The kernel contract").
 */
import { ACTIVATION_KERNELS } from './activations.js';
import { BIDIRECTIONAL_KERNELS } from './bidirectional.js';
import { CONV_KERNELS } from './conv.js';
import { DROPOUT_KERNELS } from './dropout.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { EMBEDDING_KERNELS } from './embedding.js';
import { GEMM_KERNELS } from './gemm.js';
import { GRU_KERNELS } from './gru.js';
import { LOSS_KERNELS } from './loss.js';
import { LSTM_KERNELS } from './lstm.js';
import { MASKING_KERNELS } from './masking.js';
import { MAXIMUM_KERNELS } from './maximum.js';
import { OPTIM_KERNELS } from './optim.js';
import { POOLING_KERNELS } from './pooling.js';
import type { ArgsOf, KernelSpec, Param, ResultOf, SelectParam } from './params.js';
import { RNN_KERNELS } from './rnn.js';
import { ADDITIVE_SCORE_KERNELS } from './additive_score.js';
import { BATCHED_GEMM_KERNELS } from './batched_gemm.js';
import { L2_NORMALIZE_KERNELS } from './l2_normalize.js';
import { LAYER_NORM_KERNELS } from './layer_norm.js';
import { SOFTMAX_MASKED_KERNELS } from './softmax_masked.js';

export const KERNELS = {
  ...GEMM_KERNELS,
  ...ACTIVATION_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...EMBEDDING_KERNELS,
  ...DROPOUT_KERNELS,
  ...MASKING_KERNELS,
  ...LSTM_KERNELS,
  ...RNN_KERNELS,
  ...GRU_KERNELS,
  ...BIDIRECTIONAL_KERNELS,
  ...CONV_KERNELS,
  ...POOLING_KERNELS,
  ...MAXIMUM_KERNELS,
  ...LOSS_KERNELS,
  ...OPTIM_KERNELS,
  ...BATCHED_GEMM_KERNELS,
  ...SOFTMAX_MASKED_KERNELS,
  ...ADDITIVE_SCORE_KERNELS,
  ...LAYER_NORM_KERNELS,
  ...L2_NORMALIZE_KERNELS,
};

type Table = typeof KERNELS;
export type KernelName = keyof Table;
/** The argument object of kernel K, fields named as the export's parameters. */
export type KernelArgs<K extends KernelName> = ArgsOf<Table[K]['params']>;
export type KernelResult<K extends KernelName> = ResultOf<Table[K]['returns']>;

export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** The table entry of a kernel, widened for code that walks parameters generically. */
export function spec(k: KernelName): KernelSpec {
  return KERNELS[k] as unknown as KernelSpec;
}

/** [name, param] in the export's order: every parameter the wasm export takes. */
export function wasmParams(s: KernelSpec): Array<[string, Param]> {
  return Object.entries(s.params).filter(([, p]) => p.kind !== 'select' && !(p.kind === 'dim' && p.host));
}

/** The select parameter that picks the export ('form' of gemm), if any. */
export function selector(s: KernelSpec): [string, SelectParam] | null {
  const e = Object.entries(s.params).find(([, p]) => p.kind === 'select');
  return e ? [e[0], e[1] as SelectParam] : null;
}

/** Every export a table entry stands for, by select value ('' when there is no select). */
export function exportNames(s: KernelSpec): Array<[string, string]> {
  const sel = selector(s);
  if (!sel) return [['', s.wasm]];
  return sel[1].options.map((o) => [o, s.wasm.replace(`{${sel[0]}}`, o)]);
}

export type { ArgsOf, KernelSpec, Param, Role } from './params.js';
