/** The Bidirectional merge kernels of assembly/bidirectional.ts. mode is a MERGE_* id (abi.ts). */
import { fail } from '../../errors.js';
import { MERGE_AVE, MERGE_CONCAT } from '../abi.js';
import { dim, i32, inp, kernel, opt, out } from './params.js';
import { overlaps } from './elementwise.js';

/** The merged width: 2H for concat, else H. */
const merged = (a: { mode: number }) => (a.mode === MERGE_CONCAT ? 'R,2H' : 'R,H');
const mergedWidth = (a: { mode: number; H: number }) => (a.mode === MERGE_CONCAT ? 2 : 1) * a.H;

function checkMode(op: string, mode: number): void {
  if (!(Number.isInteger(mode) && mode >= MERGE_CONCAT && mode <= MERGE_AVE))
    fail('E_ARG', `${op}: mode must be a MERGE_* id, got ${mode}`);
}

export const BIDIRECTIONAL_KERNELS = {
  /**
   * y (R,W) = merge of f (R,H) and b (R,H) by mode (W = 2H for concat, else H); rows with mask (R) == 0 give
   * 0.
   */
  bidirectionalMerge: kernel({
    wasm: 'bidirectional_merge_f32',
    params: { y: out(merged), f: inp('R,H'), b: inp('R,H'), mask: opt(inp('R')), R: dim(), H: dim(), mode: i32() },
    check(op, a) {
      checkMode(op, a.mode);
      const n = a.R * a.H;
      if (overlaps(a.y, a.f, a.R * mergedWidth(a), n)) fail('E_ARG', `${op}: y must not overlap f`);
      if (overlaps(a.y, a.b, a.R * mergedWidth(a), n)) fail('E_ARG', `${op}: y must not overlap b`);
    },
  }),
  /** df, db (R,H) = the gradient of bidirectionalMerge from dy (R,W); f, b as in the forward (mul reads them). */
  bidirectionalMergeBackward: kernel({
    wasm: 'bidirectional_merge_backward_f32',
    params: {
      df: out('R,H'),
      db: out('R,H'),
      dy: inp(merged),
      f: inp('R,H'),
      b: inp('R,H'),
      mask: opt(inp('R')),
      R: dim(),
      H: dim(),
      mode: i32(),
    },
    check(op, a) {
      checkMode(op, a.mode);
      const n = a.R * a.H;
      if (overlaps(a.df, a.dy, n, a.R * mergedWidth(a))) fail('E_ARG', `${op}: df must not overlap dy`);
      if (overlaps(a.db, a.dy, n, a.R * mergedWidth(a))) fail('E_ARG', `${op}: db must not overlap dy`);
      if (overlaps(a.df, a.db, n)) fail('E_ARG', `${op}: df must not overlap db`);
    },
  }),
};
