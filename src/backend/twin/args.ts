/**
 * What every twin kernel starts with: the slot offset of each buffer of its
 * argument object (0 for an absent one, as the wasm export receives it), so
 * the body reads like its assembly/ counterpart.
 */
import { spec, type KernelArgs, type KernelName } from '../contract/index.js';
import { off, type Buf } from '../memory.js';

type Offsets<A> = { [F in keyof A as A[F] extends Buf | null ? F : never]: number };

const bufNames = new Map<KernelName, string[]>();

/** { x: 1024, bias: 0, ... }: every buffer parameter of kernel `k`, by name. */
export function offsets<K extends KernelName>(k: K, a: KernelArgs<K>): Offsets<KernelArgs<K>> {
  let names = bufNames.get(k);
  if (!names) {
    names = Object.entries(spec(k).params)
      .filter(([, p]) => p.kind === 'buf')
      .map(([n]) => n);
    bufNames.set(k, names);
  }
  const o: Record<string, number> = {};
  for (const n of names) o[n] = off((a as Record<string, Buf | null>)[n]);
  return o as Offsets<KernelArgs<K>>;
}
