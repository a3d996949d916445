/**
 * TypeScript mirror of assembly/abi.ts. test/backend/abi.test.ts reads the
 * constants the .wasm exports and checks that every one equals its value here.
 */
export const ABI_VERSION = 1;

export const LSTM_GATE_I = 0;
export const LSTM_GATE_F = 1;
export const LSTM_GATE_C = 2;
export const LSTM_GATE_O = 3;
export const GRU_GATE_Z = 0;
export const GRU_GATE_R = 1;
export const GRU_GATE_H = 2;

export const MERGE_CONCAT = 0;
export const MERGE_SUM = 1;
export const MERGE_MUL = 2;
export const MERGE_AVE = 3;

export const ACT_LINEAR = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
export const ACT_RELU = 3;
export const ACT_HARD_SIGMOID = 4;
export const ACT_SOFTMAX = 5;

export const GEMM_MR = 4;
export const GEMM_NR = 8;
export const GEMM_KC = 256;
export const GEMM_MC = 64;
export const GEMM_NC = 1024;
export const GEMM_WORK = GEMM_KC * GEMM_NC + GEMM_MC * GEMM_KC * 4 + GEMM_MR * GEMM_NR;

/** Every constant above, by its export name, for the agreement test. */
export const ABI_CONSTANTS: Readonly<Record<string, number>> = {
  ABI_VERSION,
  LSTM_GATE_I,
  LSTM_GATE_F,
  LSTM_GATE_C,
  LSTM_GATE_O,
  GRU_GATE_Z,
  GRU_GATE_R,
  GRU_GATE_H,
  MERGE_CONCAT,
  MERGE_SUM,
  MERGE_MUL,
  MERGE_AVE,
  ACT_LINEAR,
  ACT_SIGMOID,
  ACT_TANH,
  ACT_RELU,
  ACT_HARD_SIGMOID,
  ACT_SOFTMAX,
  GEMM_MR,
  GEMM_NR,
  GEMM_KC,
  GEMM_MC,
  GEMM_NC,
  GEMM_WORK,
};

/** Activation names accepted by layers, and their kernel ids. */
export const ACTIVATIONS = {
  linear: ACT_LINEAR,
  sigmoid: ACT_SIGMOID,
  tanh: ACT_TANH,
  relu: ACT_RELU,
  hardSigmoid: ACT_HARD_SIGMOID,
  softmax: ACT_SOFTMAX,
} as const;
export type ActivationName = keyof typeof ACTIVATIONS;
