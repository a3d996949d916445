/**
 * The vocabulary of the kernel table: what a kernel parameter can be, and
 * the TypeScript argument type each one becomes.
 *
 * A kernel is described once (contract/*.ts, one file per assembly/ file):
 * its export name and its parameters in the export's order, each a buffer
 * with a role and a shape string, a dimension, a scalar, a flag or the GEMM
 * workspace. From that one description come
 *   - the argument object the layer fills and the twin reads (KernelArgs),
 *   - the checks the backend runs (checks.ts: dims, then every buffer's size
 *     from its shape string),
 *   - the flattening into the wasm call (wasm.ts),
 *   - the parity test's buffers and pre-fills (test/backend/parity.test.ts).
 * test/backend/contract.test.ts checks every entry against the generated
 * typings of the wasm exports, both ways.
 */
import type { Buf } from '../memory.js';

/**
 * What a kernel does with a buffer, which fixes its `=` / `+=` contract:
 *   in       read only; the kernel leaves it unchanged
 *   out      overwritten (=)
 *   acc      accumulated into (+=)
 *   outAcc   = or +=, chosen by the call's `accumulate` flag
 *   inout    read, then updated in place (optimizer state, LSTM gates -> dz)
 *   scratch  the kernel's workspace: contents undefined before and after
 */
export type Role = 'in' | 'out' | 'acc' | 'outAcc' | 'inout' | 'scratch';

/** f32 and i32 buffers are checked for their dtype; 'any' (copy) takes either. */
export type DType = 'f32' | 'i32' | 'any';

/**
 * A shape string over the call's dimensions (shape.ts): 'B,T,4H', 'n',
 * 'M,N:ldc' (M rows of N, row stride ldc), 'packed(H,4H)'. A function picks
 * the shape from other arguments (GRU bias with resetAfter); it gets the
 * argument object, typed loosely so a table entry can say `(a) => ...`.
 */
export type ShapeSpec = string | ((a: any) => string);
export type DTypeSpec = DType | ((a: any) => DType);

export interface BufParam<Optional extends boolean = boolean> {
  readonly kind: 'buf';
  readonly role: Role;
  readonly shape: ShapeSpec;
  readonly dtype: DTypeSpec;
  /** optional buffers may be null: the kernel gets pointer 0, "absent" */
  readonly optional: Optional;
}

/** An integer dimension >= min. `host`: checked and used for shapes, not passed to wasm. */
export interface DimParam {
  readonly kind: 'dim';
  readonly min: number;
  readonly host: boolean;
}

/** A number passed through: f32 scalars, i32 ids (ACT_*, MERGE_*), u32 seeds. */
export interface ScalarParam {
  readonly kind: 'f32' | 'i32' | 'u32';
}

/** A boolean argument; the wasm export takes it as i32 0 / 1. */
export interface FlagParam {
  readonly kind: 'bool';
}

/** The GEMM workspace (GEMM_WORK slots), supplied by the backend, never by the caller. */
export interface WorkParam {
  readonly kind: 'work';
}

/** A host-side choice of export, e.g. GEMM's form: `wasm: 'gemm_{form}_f32'`. */
export interface SelectParam<O extends string = string> {
  readonly kind: 'select';
  readonly options: readonly O[];
}

export type Param = BufParam | DimParam | ScalarParam | FlagParam | WorkParam | SelectParam;

/** What the export returns: nothing, a float64 (losses, sums) or an i32 read as a boolean. */
export type Returns = 'void' | 'f64' | 'bool';

// ------------------------------------------------------------- constructors

const buf = (role: Role, shape: ShapeSpec, dtype: DTypeSpec): BufParam<false> => ({ kind: 'buf', role, shape, dtype, optional: false });

/** Read only. */
export const inp = (shape: ShapeSpec, dtype: DTypeSpec = 'f32') => buf('in', shape, dtype);
/** Overwritten (=). */
export const out = (shape: ShapeSpec, dtype: DTypeSpec = 'f32') => buf('out', shape, dtype);
/** Accumulated (+=). */
export const acc = (shape: ShapeSpec) => buf('acc', shape, 'f32');
/** = or += by the call's `accumulate` flag. */
export const outAcc = (shape: ShapeSpec) => buf('outAcc', shape, 'f32');
/** Read and updated in place. */
export const inout = (shape: ShapeSpec) => buf('inout', shape, 'f32');
/** Workspace of the kernel. */
export const scratch = (shape: ShapeSpec) => buf('scratch', shape, 'f32');
/** The same buffer, optional: null passes pointer 0. */
export const opt = (p: BufParam<false>): BufParam<true> => ({ ...p, optional: true });

/** An integer dimension >= min. */
export const dim = (min = 0): DimParam => ({ kind: 'dim', min, host: false });
/** A dimension the host checks shapes with but the export does not take (embedding V). */
export const hostDim = (min = 0): DimParam => ({ kind: 'dim', min, host: true });
export const f32 = (): ScalarParam => ({ kind: 'f32' });
export const i32 = (): ScalarParam => ({ kind: 'i32' });
export const u32 = (): ScalarParam => ({ kind: 'u32' });
export const bool = (): FlagParam => ({ kind: 'bool' });
export const work = (): WorkParam => ({ kind: 'work' });
export const select = <const O extends string>(options: readonly O[]): SelectParam<O> => ({ kind: 'select', options });

// -------------------------------------------------------------------- types

/** The TypeScript type of one argument. */
export type ArgType<P> =
  P extends BufParam<true>
    ? Buf | null
    : P extends BufParam<false>
      ? Buf
      : P extends FlagParam
        ? boolean
        : P extends SelectParam<infer O>
          ? O
          : number;

/** The argument object of a kernel: every parameter but the workspace, by name. */
export type ArgsOf<Ps> = {
  -readonly [K in keyof Ps as Ps[K] extends WorkParam ? never : K]: ArgType<Ps[K]>;
};

export type ResultOf<R extends Returns> = R extends 'f64' ? number : R extends 'bool' ? boolean : void;

/**
 * One entry of the kernel table. Its shape line (what the kernel computes, with
 * every shape) is the doc comment above the entry rather than a field, so that
 * it costs no bytes in every app's bundle; test/backend/contract.test.ts checks
 * every entry has one.
 */
export interface KernelSpec<Ps extends Record<string, Param> = Record<string, Param>, R extends Returns = Returns> {
  /** The export, or a template over a select parameter: 'gemm_{form}_f32'. */
  readonly wasm: string;
  /** Parameters in the export's order (object key order is the order). */
  readonly params: Ps;
  readonly returns: R;
  /**
   * Preconditions the shape strings cannot say (ranges, overlaps, pairs),
   * run after the generic checks. Throws a WasmRnnError naming op and argument.
   */
  check?(op: string, a: ArgsOf<Ps>): void;
}

/** One table entry; `const` keeps every literal so ArgsOf can map it. */
export function kernel<const Ps extends Record<string, Param>, const R extends Returns = 'void'>(spec: {
  wasm: string;
  params: Ps;
  returns?: R;
  check?: (op: string, a: ArgsOf<Ps>) => void;
}): KernelSpec<Ps, R> {
  return { ...spec, returns: (spec.returns ?? 'void') as R };
}
