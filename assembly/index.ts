// The ABI: every kernel the host may call, plus the shared constants.
// Conventions (docs/architecture.md, "The kernel contract"): exports are
// `<op>_<pass>_f32`; arguments are outputs first, then inputs, then dims;
// pointers are byte addresses into this module's memory, owned and laid out
// by the host (src/backend/wasm.ts); a pointer of 0 means "absent". Kernels
// never allocate and never validate: the host checks every shape against the
// kernel table (src/backend/contract/), which test/backend/contract.test.ts
// holds to these exports' parameter lists.

export * from './abi';
export { gemm_nn_f32, gemm_nt_f32, gemm_tn_f32 } from './gemm';
export {
  sigmoid_f32, tanh_f32, relu_f32, hard_sigmoid_f32,
  activation_forward_f32, activation_backward_f32,
  softmax_rows_f32, softmax_rows_backward_f32,
} from './activations';
export {
  bias_add_f32, column_sum_f32, axpy_f32, scale_f32, mul_f32, add_f32,
  fill_f32, copy_f32, sum_squares_f32, has_non_finite_f32, copy_rows_f32, reverse_time_f32,
} from './elementwise';
export { embedding_forward_f32, embedding_backward_f32, mask_from_ids_f32 } from './embedding';
export { dropout_forward_f32 } from './dropout';
export { masking_forward_f32, row_scale_f32 } from './masking';
export { lstm_forward_f32, lstm_backward_f32 } from './lstm';
export { simple_rnn_forward_f32, simple_rnn_backward_f32 } from './rnn';
export { gru_forward_f32, gru_backward_f32 } from './gru';
export { bidirectional_merge_f32, bidirectional_merge_backward_f32 } from './bidirectional';
export { conv1d_forward_f32, conv1d_backward_f32 } from './conv1d';
export {
  max_pool1d_forward_f32, max_pool1d_backward_f32, avg_pool1d_forward_f32, avg_pool1d_backward_f32, window_mask_f32,
} from './pooling';
export { maximum_forward_f32, maximum_backward_f32 } from './maximum';
export { bce_logits_f32, softmax_ce_f32, mse_f32 } from './loss';
export { batched_gemm_nn_f32, batched_gemm_nt_f32, batched_gemm_tn_f32, batched_gemm_tt_f32 } from './batched_gemm';
export { masked_softmax_f32, masked_softmax_backward_f32 } from './softmax_masked';
export { additive_score_f32, additive_score_backward_f32 } from './additive_score';
export { layer_norm_forward_f32, layer_norm_backward_f32 } from './layer_norm';
export { l2_normalize_f32, l2_normalize_backward_f32 } from './l2_normalize';
export {
  sgd_update_f32, adam_update_f32, rmsprop_update_f32, adagrad_update_f32, clip_value_f32,
} from './optim';

/** First byte the host may use: everything below is the module's static data. */
export function heap_base(): usize {
  return __heap_base;
}
