// Constants shared with the host. The TypeScript mirror is src/backend/abi.ts;
// test/backend/abi.test.ts instantiates this module and checks the two agree.
//
// Bump ABI_VERSION whenever an export's signature or a constant changes: the
// host refuses a module whose version differs from the one it was built for.

export const ABI_VERSION: i32 = 1;

// Gate blocks inside the G axis of LSTM weights (Keras order): i, f, c, o.
export const LSTM_GATE_I: i32 = 0;
export const LSTM_GATE_F: i32 = 1;
export const LSTM_GATE_C: i32 = 2;
export const LSTM_GATE_O: i32 = 3;
// GRU gate blocks (Keras order): z (update), r (reset), h (candidate).
export const GRU_GATE_Z: i32 = 0;
export const GRU_GATE_R: i32 = 1;
export const GRU_GATE_H: i32 = 2;

// Bidirectional merge modes (bidirectional_merge_f32 and its backward).
export const MERGE_CONCAT: i32 = 0;
export const MERGE_SUM: i32 = 1;
export const MERGE_MUL: i32 = 2;
export const MERGE_AVE: i32 = 3;

// Activation ids passed to kernels that take an activation argument.
export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_HARD_SIGMOID: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;

// GEMM blocking (f32 elements). The host sizes the per-call workspace from
// GEMM_WORK; prepacked B panels take K * roundUp(N, GEMM_NR) elements.
export const GEMM_MR: i32 = 4;
export const GEMM_NR: i32 = 8;
export const GEMM_KC: i32 = 256;
export const GEMM_MC: i32 = 64;
export const GEMM_NC: i32 = 1024;
export const GEMM_WORK: i32 = GEMM_KC * GEMM_NC + GEMM_MC * GEMM_KC * 4 + GEMM_MR * GEMM_NR;

// Which build this is: 0 = SIMD, 1 = relaxed SIMD. Lets the host name a
// module it was handed precompiled (init({ module })).
export const VARIANT: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
