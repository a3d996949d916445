// Mutation check of the parity suite (not part of `npm test`: ~45 s a mutant).
//
//   node test/backend/mutants.mjs [--only=id,id] [--out=file.md]
//   node test/backend/mutants.mjs --check     every mutant applies (text found once)
//
// Copies the repository to a temporary directory and, one mutant at a time,
// flips one operator in assembly/ (a copy: this tree is never touched),
// rebuilds both wasm builds and runs test/backend/parity.test.ts. A mutant is
// killed when the suite fails; one that does not compile is invalid and not
// counted. The twin is the oracle, so every mutant changes the wasm only.
//
// One mutant per exported kernel (the code only that export runs), then a few
// in helpers every kernel shares. docs/testing.md reports the score.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** [id (the export, or shared:...), file, find (must occur once), replace] */
export const MUTANTS = [
  [
    'gemm_nn_f32',
    'gemm.ts',
    'gemm(c, ldc, a, lda, false, b, ldb, false, M, N, K, accumulate != 0, work);',
    'gemm(c, ldc, a, lda, false, b, ldb, false, M, N, K, accumulate == 0, work);',
  ],
  ['gemm_nt_f32', 'gemm.ts', 'const r5 = v128.load(src + 5 * ldbBytes);', 'const r5 = v128.load(src + 4 * ldbBytes);'],
  [
    'gemm_tn_f32',
    'gemm.ts',
    '? load<f32>(a + <usize>p * ldaBytes + <usize>(i + r) * F32)',
    '? load<f32>(a + <usize>p * ldaBytes + <usize>(i - r) * F32)',
  ],
  ['sigmoid_f32', 'activations.ts', 'activate(y, x, n, ACT_SIGMOID); }', 'activate(y, x, n, ACT_HARD_SIGMOID); }'],
  ['tanh_f32', 'activations.ts', 'activate(y, x, n, ACT_TANH); }', 'activate(y, x, n, ACT_SIGMOID); }'],
  ['relu_f32', 'activations.ts', 'activate(y, x, n, ACT_RELU); }', 'activate(y, x, n, ACT_LINEAR); }'],
  ['hard_sigmoid_f32', 'activations.ts', 'activate(y, x, n, ACT_HARD_SIGMOID); }', 'activate(y, x, n, ACT_RELU); }'],
  [
    'activation_forward_f32',
    'activations.ts',
    'if (y != x) memory.copy(y, x, <usize>n * F32); return;',
    'if (y == x) memory.copy(y, x, <usize>n * F32); return;',
  ],
  [
    'activation_backward_f32',
    'activations.ts',
    'activationBackward(dx, y, dy, n, act, accumulate != 0);',
    'activationBackward(dx, y, dy, n, act, accumulate == 0);',
  ],
  ['softmax_rows_f32', 'activations.ts', '      s += e;', '      s -= e;'],
  [
    'softmax_rows_backward_f32',
    'activations.ts',
    'let g = load<f32>(y + p) * (load<f32>(dy + p) - dot);',
    'let g = load<f32>(y + p) * (load<f32>(dy + p) + dot);',
  ],
  [
    'bias_add_f32',
    'elementwise.ts',
    'store<f32>(y + o + q, load<f32>(x + o + q) + load<f32>(b + q));',
    'store<f32>(y + o + q, load<f32>(x + o + q) - load<f32>(b + q));',
  ],
  [
    'column_sum_f32',
    'elementwise.ts',
    'v128.store(db + q, f32x4.add(v128.load(db + q), v128.load(dy + o + q)));',
    'v128.store(db + q, f32x4.sub(v128.load(db + q), v128.load(dy + o + q)));',
  ],
  [
    'axpy_f32',
    'elementwise.ts',
    'v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));',
    'v128.store(y + o, f32x4.sub(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));',
  ],
  ['scale_f32', 'elementwise.ts', 'store<f32>(y + o, alpha * load<f32>(x + o));', 'store<f32>(y + o, alpha + load<f32>(x + o));'],
  [
    'mul_f32',
    'elementwise.ts',
    'if (accumulate != 0) v = f32x4.add(v, v128.load(y + o));',
    'if (accumulate == 0) v = f32x4.add(v, v128.load(y + o));',
  ],
  [
    'add_f32',
    'elementwise.ts',
    'v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));',
    'v128.store(y + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));',
  ],
  [
    'fill_f32',
    'elementwise.ts',
    'for (; i < n; i++) store<f32>(y + <usize>i * F32, value);',
    'for (; i < n; i++) store<f32>(y + <usize>i * F32, -value);',
  ],
  ['copy_f32', 'elementwise.ts', 'memory.copy(y, x, <usize>n * F32);', 'memory.copy(y, x, <usize>n + F32);'],
  ['sum_squares_f32', 'elementwise.ts', 's += v * v;', 's += v + v;'],
  ['has_non_finite_f32', 'elementwise.ts', '& 0x7f800000) == 0x7f800000) return 1;', '& 0x7f800000) != 0x7f800000) return 1;'],
  ['copy_rows_f32', 'elementwise.ts', 'src + <usize>r * <usize>ss * F32', 'src + <usize>r + <usize>ss * F32'],
  ['reverse_time_f32', 'elementwise.ts', 'x + (base + <usize>(T - 1 - t)) * rowBytes', 'x + (base + <usize>(T - 1 + t)) * rowBytes'],
  ['embedding_forward_f32', 'embedding.ts', 'w + <usize>id * rowBytes', 'w + <usize>id + rowBytes'],
  [
    'embedding_backward_f32',
    'embedding.ts',
    'store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));',
    'store<f32>(dst + o, load<f32>(dst + o) - load<f32>(src + o));',
  ],
  ['mask_from_ids_f32', 'embedding.ts', 'load<i32>(ids + <usize>n * 4) != 0 ? 1 : 0', 'load<i32>(ids + <usize>n * 4) == 0 ? 1 : 0'],
  [
    'dropout_forward_f32',
    'dropout.ts',
    'v128.store(y + o, f32x4.mul(v128.load(x + o), m));',
    'v128.store(y + o, f32x4.add(v128.load(x + o), m));',
  ],
  ['masking_forward_f32', 'masking.ts', 'if (load<f32>(xr + <usize>j * F32) != value) {', 'if (load<f32>(xr + <usize>j * F32) == value) {'],
  [
    'row_scale_f32',
    'masking.ts',
    'v128.store(y + q, f32x4.mul(v128.load(x + q), sv));',
    'v128.store(y + q, f32x4.add(v128.load(x + q), sv));',
  ],
  [
    'lstm_forward_f32',
    'lstm.ts',
    'const cv = f32x4.add(f32x4.mul(f, cpv), f32x4.mul(i, g));',
    'const cv = f32x4.sub(f32x4.mul(f, cpv), f32x4.mul(i, g));',
  ],
  ['lstm_backward_f32', 'lstm.ts', 'let dcp = f32x4.mul(dct, f);', 'let dcp = f32x4.add(dct, f);'],
  ['simple_rnn_forward_f32', 'rnn.ts', 'const tp = goBackwards != 0 ? t + 1 : t - 1;', 'const tp = goBackwards != 0 ? t + 1 : t + 1;'],
  [
    'simple_rnn_backward_f32',
    'rnn.ts',
    'store<f32>(dhb + o, load<f32>(dhb + o) + load<f32>(src + o));',
    'store<f32>(dhb + o, load<f32>(dhb + o) - load<f32>(src + o));',
  ],
  ['gru_forward_f32', 'gru.ts', 'const hn = f32x4.add(f32x4.mul(z, hpv),', 'const hn = f32x4.sub(f32x4.mul(z, hpv),'],
  ['gru_backward_f32', 'gru.ts', 'f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), z))', 'f32x4.mul(dhv, f32x4.add(f32x4.splat(1), z))'],
  ['bidirectional_merge_f32', 'bidirectional.ts', 'if (mode == MERGE_AVE) v *= 0.5;', 'if (mode == MERGE_AVE) v += 0.5;'],
  [
    'bidirectional_merge_backward_f32',
    'bidirectional.ts',
    'v128.store(dbr + o, f32x4.mul(d, v128.load(fr + o)));',
    'v128.store(dbr + o, f32x4.add(d, v128.load(fr + o)));',
  ],
  ['bce_logits_f32', 'loss.ts', 'store<f32>(dz + o, wn * (p - yv) * scale);', 'store<f32>(dz + o, wn * (p + yv) * scale);'],
  ['softmax_ce_f32', 'loss.ts', 'total += <f64>wn * (lse - yz);', 'total += <f64>wn * (lse + yz);'],
  ['mse_f32', 'loss.ts', 'rowSum += <f64>d * <f64>d;', 'rowSum += <f64>d + <f64>d;'],
  [
    'sgd_update_f32',
    'optim.ts',
    'wv = nesterov != 0 ? wv + (momentum * v - lr * gv) : wv + v;',
    'wv = nesterov == 0 ? wv + (momentum * v - lr * gv) : wv + v;',
  ],
  ['adam_update_f32', 'optim.ts', 'f32x4.mul(c2, f32x4.mul(gv, gv))', 'f32x4.mul(c2, f32x4.add(gv, gv))'],
  ['rmsprop_update_f32', 'optim.ts', 'step = momentum * load<f32>(mom + o) + step;', 'step = momentum * load<f32>(mom + o) - step;'],
  ['adagrad_update_f32', 'optim.ts', 'const a = load<f32>(acc + o) + gv * gv;', 'const a = load<f32>(acc + o) - gv * gv;'],
  [
    'clip_value_f32',
    'optim.ts',
    'store<f32>(g + o, min(max(load<f32>(g + o), -c), c));',
    'store<f32>(g + o, min(max(load<f32>(g + o), c), c));',
  ],
  [
    'conv1d_forward_f32',
    'conv1d.ts',
    'gemm(yb, F, xb, S * C, false, w, F, false, To, F, K * C, bias != 0, work);',
    'gemm(yb, F, xb, S * C, false, w, F, false, To, F, K * C, bias == 0, work);',
  ],
  [
    'conv1d_backward_f32',
    'conv1d.ts',
    'gemm(dw, F, xb, S * C, true, dzb, F, false, K * C, F, To, true, work);',
    'gemm(dw, F, xb, S * C, true, dzb, F, false, K * C, F, To, false, work);',
  ],
  ['max_pool1d_forward_f32', 'pooling.ts', 'const gt = f32x4.gt(v, m);', 'const gt = f32x4.ge(v, m);'],
  [
    'max_pool1d_backward_f32',
    'pooling.ts',
    'store<f32>(p, load<f32>(p) + load<f32>(dy + o + <usize>c * F32));',
    'store<f32>(p, load<f32>(p) - load<f32>(dy + o + <usize>c * F32));',
  ],
  [
    'avg_pool1d_forward_f32',
    'pooling.ts',
    'v128.store(yr + q, f32x4.add(v128.load(yr + q), v128.load(xr + q)));',
    'v128.store(yr + q, f32x4.sub(v128.load(yr + q), v128.load(xr + q)));',
  ],
  [
    'avg_pool1d_backward_f32',
    'pooling.ts',
    'v128.store(dxr + q, f32x4.add(v128.load(dxr + q), f32x4.mul(v128.load(dyr + q), iv)));',
    'v128.store(dxr + q, f32x4.sub(v128.load(dxr + q), f32x4.mul(v128.load(dyr + q), iv)));',
  ],
  [
    'window_mask_f32',
    'pooling.ts',
    'store<f32>(ymask + (<usize>b * <usize>To + <usize>t) * F32, any ? 1 : 0);',
    'store<f32>(ymask + (<usize>b * <usize>To + <usize>t) * F32, any ? 0 : 1);',
  ],
  ['maximum_forward_f32', 'maximum.ts', 'const gt = f32x4.gt(v, m);', 'const gt = f32x4.ge(v, m);'],
  ['maximum_backward_f32', 'maximum.ts', 'i32x4.eq(v128.load(arg + o), idx)', 'i32x4.ne(v128.load(arg + o), idx)'],
  [
    'batched_gemm_nn_f32',
    'batched_gemm.ts',
    'sa2, false, b, ldb, sb1, sb2, false, P, Q, M, N, K, accumulate != 0',
    'sa2, false, b, ldb, sb1, sb2, false, P, Q, M, N, K, accumulate == 0',
  ],
  ['batched_gemm_nt_f32', 'batched_gemm.ts', 'sa2, false, b, ldb, sb1, sb2, true, P', 'sa2, false, b, ldb, sb1, sb2, false, P'],
  ['batched_gemm_tn_f32', 'batched_gemm.ts', 'sa2, true, b, ldb, sb1, sb2, false, P', 'sa2, false, b, ldb, sb1, sb2, false, P'],
  ['batched_gemm_tt_f32', 'batched_gemm.ts', 'sa2, true, b, ldb, sb1, sb2, true, P', 'sa2, true, b, ldb, sb1, sb2, false, P'],
  ['masked_softmax_f32', 'softmax_masked.ts', 'm = v128.and(m, i32x4.le_s(', 'm = v128.and(m, i32x4.lt_s('],
  [
    'masked_softmax_backward_f32',
    'softmax_masked.ts',
    'const dz = f32x4.mul(v128.load(w + p), f32x4.sub(v128.load(dw + p), dotv));',
    'const dz = f32x4.mul(v128.load(w + p), f32x4.add(v128.load(dw + p), dotv));',
  ],
  [
    'additive_score_f32',
    'additive_score.ts',
    'let t = tanhv(f32x4.mul(av, f32x4.add(v128.load(qi + o), v128.load(kj + o))));',
    'let t = tanhv(f32x4.mul(av, f32x4.sub(v128.load(qi + o), v128.load(kj + o))));',
  ],
  ['additive_score_backward_f32', 'additive_score.ts', 'dav = f32x4.add(dav, f32x4.mul(g, x));', 'dav = f32x4.sub(dav, f32x4.mul(g, x));'],
  [
    'layer_norm_forward_f32',
    'layer_norm.ts',
    'const rs = <f32>1 / sqrt<f32>(q * invC + eps);',
    'const rs = <f32>1 / sqrt<f32>(q * invC - eps);',
  ],
  [
    'layer_norm_backward_f32',
    'layer_norm.ts',
    'let v = f32x4.mul(rv, f32x4.sub(f32x4.sub(g, mg), f32x4.mul(xh, mgx)));',
    'let v = f32x4.mul(rv, f32x4.add(f32x4.sub(g, mg), f32x4.mul(xh, mgx)));',
  ],
  [
    'l2_normalize_f32',
    'l2_normalize.ts',
    'const r = <f32>1 / sqrt<f32>(max(sumSquares(xo, N, 1), EPS2));',
    'const r = <f32>1 / sqrt<f32>(min(sumSquares(xo, N, 1), EPS2));',
  ],
  [
    'l2_normalize_backward_f32',
    'l2_normalize.ts',
    'let v = r * (load<f32>(dy + p) - load<f32>(x + p) * r * dot);',
    'let v = r * (load<f32>(dy + p) + load<f32>(x + p) * r * dot);',
  ],
  // helpers every kernel shares
  [
    'shared: GEMM 4x8 micro-kernel +=',
    'gemm.ts',
    'c00 = f32x4.add(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c10 = f32x4.add(c10, v128.load(c + rs));',
    'c00 = f32x4.sub(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c10 = f32x4.add(c10, v128.load(c + rs));',
  ],
  [
    'shared: GEMM small-M 2x16 row kernel +=',
    'gemm.ts',
    'c00 = f32x4.add(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c02 = f32x4.add(c02, v128.load(c, 32));',
    'c00 = f32x4.sub(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c02 = f32x4.add(c02, v128.load(c, 32));',
  ],
  [
    'shared: GEMM small-M 4x8 row kernel +=',
    'gemm.ts',
    'c00 = f32x4.add(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c10 = f32x4.add(c10, v128.load(c + cr));',
    'c00 = f32x4.sub(c00, v128.load(c));\n    c01 = f32x4.add(c01, v128.load(c, 16));\n    c10 = f32x4.add(c10, v128.load(c + cr));',
  ],
  ['shared: GEMM one-row 1x28 from lane 0', 'gemm.ts', 'c6 = madd(av, v128.load(p3), c6);', 'c6 = madd(av, v128.load(p2), c6);'],
  ['shared: GEMM one-row 1x28 from lane 4', 'gemm.ts', 'c0 = madd(av, v128.load(p0, 16), c0);', 'c0 = madd(av, v128.load(p0), c0);'],
  [
    'shared: GEMM one-row 1x4 from lane 4',
    'gemm.ts',
    'c0 = madd(v128.load32_splat(a), v128.load(b, 16), c0);',
    'c0 = madd(v128.load32_splat(a), v128.load(b), c0);',
  ],
  [
    'shared: GEMM one-row columns after a lane-4 start',
    'gemm.ts',
    'rowColumns(kc, a, ak, b + 4 * F32, bs, j, N, c, accumulate);',
    'rowColumns(kc, a, ak, b + 3 * F32, bs, j, N, c, accumulate);',
  ],
  ['shared: recurrent B = 1 strip kernel', 'recurrent.ts', 'c5 = madd(av, v128.load(b, 80), c5);', 'c5 = madd(av, v128.load(b, 64), c5);'],
  [
    'shared: recurrent B = 1 strip packing',
    'recurrent.ts',
    'v128.store(d, v128.load(src, 96), 96);',
    'v128.store(d, v128.load(src, 80), 96);',
  ],
  ['shared: recurrent four-exp chains', 'recurrent.ts', 'r2 = madd(n2, k, r2);', 'r2 = madd(n2, k, r1);'],
  [
    'shared: LSTM default cell gates',
    'recurrent.ts',
    'v128.store(pf, sigmoidFromExp(v128.load(pf)));',
    'v128.store(pf, sigmoidFromExp(v128.load(pi)));',
  ],
  [
    'shared: LSTM default cell output tanh',
    'recurrent.ts',
    'v128.store(h, f32x4.mul(v128.load(o, 48), tanhFromExp(c3, v128.load(h, 48))), 48);',
    'v128.store(h, f32x4.mul(v128.load(o, 48), tanhFromExp(c2, v128.load(h, 48))), 48);',
  ],
  [
    'shared: LSTM default cell state',
    'lstm.ts',
    'const cv = f32x4.add(f32x4.mul(v128.load(z + hb + o4), v128.load(cp + o4)), f32x4.mul(v128.load(z + o4), v128.load(z + 2 * hb + o4)));',
    'const cv = f32x4.add(f32x4.mul(v128.load(z + o4), v128.load(cp + o4)), f32x4.mul(v128.load(z + o4), v128.load(z + 2 * hb + o4)));',
  ],
  [
    'shared: GEMM edge tile +=',
    'gemm.ts',
    'store<f32>(dst, accumulate ? load<f32>(dst) + v : v);',
    'store<f32>(dst, accumulate ? load<f32>(dst) - v : v);',
  ],
  [
    'shared: exp polynomial',
    'activations.ts',
    'p = madd(p, r, f32x4.splat(5.0000001201e-1));',
    'p = madd(p, r, f32x4.splat(4.0000001201e-1));',
  ],
  [
    'shared: tanh derivative',
    'activations.ts',
    'return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));',
    'return f32x4.mul(dy, f32x4.add(f32x4.splat(1), f32x4.mul(y, y)));',
  ],
  ['shared: recurrent mask test', 'recurrent.ts', '* F32) == 0;', '* F32) != 0;'],
  [
    'shared: h_{t-1} gather',
    'recurrent.ts',
    'const tp = goBackwards != 0 ? t + 1 : t - 1;',
    'const tp = goBackwards != 0 ? t - 1 : t - 1;',
  ],
  [
    'shared: conv col2im +=',
    'conv1d.ts',
    'v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));',
    'v128.store(dst + o, f32x4.sub(v128.load(dst + o), v128.load(src + o)));',
  ],
  [
    'shared: conv masked step',
    'conv1d.ts',
    'return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) != 0;',
    'return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) == 0;',
  ],
  ['shared: conv window index', 'conv1d.ts', 'const i = t * S + k * D - P;', 'const i = t * S + k * D + P;'],
  [
    'shared: pooling masked step',
    'pooling.ts',
    'return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) != 0;',
    'return mask == 0 || load<f32>(mask + (<usize>b * <usize>T + <usize>i) * F32) == 0;',
  ],
  [
    'shared: batched GEMM entry stride',
    'batched_gemm.ts',
    'const bp = b + (<usize>p * <usize>sb1 + <usize>q * <usize>sb2) * F32;',
    'const bp = b + (<usize>p * <usize>sb1 - <usize>q * <usize>sb2) * F32;',
  ],
  ['shared: batched GEMM narrow 2x16 tile', 'batched_gemm.ts', 'c12 = madd(av, b2, c12);', 'c12 = madd(av, b3, c12);'],
  ['shared: batched GEMM narrow 4x8 tile', 'batched_gemm.ts', 'av = v128.load32_splat(ap + r3);', 'av = v128.load32_splat(ap + r2);'],
  [
    'shared: masked softmax empty-row test',
    'softmax_masked.ts',
    'if (allowed1(km, am, false, i, j)) return true;',
    'if (!allowed1(km, am, false, i, j)) return true;',
  ],
  ['shared: madd (SIMD build only)', 'simd.ts', 'return f32x4.add(f32x4.mul(a, b), c);', 'return f32x4.sub(f32x4.mul(a, b), c);'],
  ['shared: madd (relaxed build only)', 'simd.ts', 'return f32x4.relaxed_madd(a, b, c);', 'return f32x4.relaxed_nmadd(a, b, c);'],
];

function run(cmd, args, cwd, timeout = 600_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  return { status: r.error ? -1 : r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, timedOut: r.error?.code === 'ETIMEDOUT' };
}

/** Every mutant's text occurs exactly once in this tree's assembly/ (no build, no tests). */
function check() {
  const bad = MUTANTS.filter(([, file, find]) => readFileSync(join(root, 'assembly', file), 'utf8').split(find).length !== 2);
  for (const [id, file] of bad) console.log(`${id}: not exactly once in assembly/${file}`);
  console.log(`${MUTANTS.length - bad.length} of ${MUTANTS.length} mutants apply`);
  process.exitCode = bad.length ? 1 : 0;
}

function main() {
  const args = process.argv.slice(2);
  if (args.includes('--check')) return check();
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',');
  const outFile = args.find((a) => a.startsWith('--out='))?.slice(6);
  const work = mkdtempSync(join(tmpdir(), 'wasm-rnn-mutants-'));
  for (const p of ['assembly', 'src', 'test', 'build', 'asconfig.json', 'package.json', 'tsconfig.json']) {
    cpSync(join(root, p), join(work, p), { recursive: true, filter: (s) => !s.includes('/generated') });
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(work, 'node_modules'));
  const build = () => run(process.execPath, ['build/build.mjs', '--wasm'], work);
  const report = join(work, 'parity.json');
  const parity = () => {
    const r = run(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'test/vitest.config.ts',
        'test/backend/parity.test.ts',
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      work,
      300_000,
    );
    let failed = [];
    try {
      const j = JSON.parse(readFileSync(report, 'utf8'));
      failed = j.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.title.split(' (')[0]));
    } catch {
      // no report: the run crashed or timed out
    }
    rmSync(report, { force: true });
    return { ...r, failed };
  };

  console.log(`work tree: ${work}`);
  if (build().status !== 0) throw new Error('the unmutated tree does not build');
  const base = parity();
  if (base.status !== 0) throw new Error(`the parity suite fails before any mutation:\n${base.out.slice(-3000)}`);

  const rows = [];
  for (const [id, file, find, replace] of MUTANTS) {
    if (only && !only.includes(id)) continue;
    const path = join(work, 'assembly', file);
    const original = readFileSync(path, 'utf8');
    const n = original.split(find).length - 1;
    if (n !== 1) throw new Error(`${id}: '${find}' occurs ${n} times in assembly/${file}`);
    writeFileSync(path, original.replace(find, replace));
    const t0 = Date.now();
    let verdict;
    let by = '';
    if (build().status !== 0) verdict = 'invalid (does not compile)';
    else {
      const p = parity();
      verdict = p.status === 0 ? 'SURVIVED' : p.timedOut ? 'killed (timeout)' : 'killed';
      by = p.failed.join(', ');
    }
    writeFileSync(path, original);
    rows.push({ id, file, find, replace, verdict, by });
    console.log(`${verdict.padEnd(10)} ${id} (${((Date.now() - t0) / 1000).toFixed(0)} s)${by ? `: ${by}` : ''}`);
  }
  rmSync(work, { recursive: true, force: true });

  const valid = rows.filter((r) => !r.verdict.startsWith('invalid'));
  const killed = valid.filter((r) => r.verdict.startsWith('killed'));
  const perExport = valid.filter((r) => !r.id.startsWith('shared'));
  const summary =
    `${killed.length} of ${valid.length} mutants killed ` +
    `(${perExport.filter((r) => r.verdict.startsWith('killed')).length} of ${perExport.length} one-per-export, ` +
    `${killed.length - perExport.filter((r) => r.verdict.startsWith('killed')).length} of ${valid.length - perExport.length} in shared helpers)`;
  console.log(`\n${summary}`);
  if (outFile) {
    const md = [
      '| mutant | assembly/ | change | result | failing parity tests |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.id} | ${r.file} | \`${r.find.trim()}\` → \`${r.replace.trim()}\` | ${r.verdict} | ${r.by || '—'} |`),
    ];
    writeFileSync(outFile, `${summary}\n\n${md.join('\n')}\n`);
  }
  process.exitCode = rows.some((r) => r.verdict === 'SURVIVED') ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
