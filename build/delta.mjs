// A byte delta of one wasm build against another, for embedding the
// relaxed-SIMD build as its difference from the SIMD build: the two come from
// one source and differ only where relaxed instructions replace SIMD ones, so
// the delta deflates to ~1.2 KB where the whole build deflates to ~16.5 KB.
// src/backend/delta.ts applies it (the format is documented there).

/** LEB128 of a non-negative integer. */
function varint(out, n) {
  while (n >= 128) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

// a copy shorter than this costs more than its literal bytes
const MIN_COPY = 6;
// the latest positions of each 6-byte key tried per match (enough here: wasm
// code repeats short sequences often, and the longest match is nearly always
// among the latest few)
const TRIES = 64;

/** The delta that turns `source` into `target` (greedy longest matches). */
export function encodeDelta(source, target) {
  const key = (b, i) => Buffer.from(b.buffer, b.byteOffset + i, MIN_COPY).toString('latin1');
  const at = new Map();
  for (let i = 0; i + MIN_COPY <= source.length; i++) {
    const k = key(source, i);
    const list = at.get(k);
    if (list) list.push(i);
    else at.set(k, [i]);
  }
  const out = [];
  varint(out, target.length);
  let literals = [];
  let end = 0; // where the last copy ended in the source
  let i = 0;
  while (i < target.length) {
    let best = 0;
    let from = 0;
    if (i + MIN_COPY <= target.length) {
      for (const o of (at.get(key(target, i)) ?? []).slice(-TRIES)) {
        let n = 0;
        while (o + n < source.length && i + n < target.length && source[o + n] === target[i + n]) n++;
        if (n > best) [best, from] = [n, o];
      }
    }
    if (best < MIN_COPY) {
      literals.push(target[i++]);
      continue;
    }
    varint(out, literals.length);
    out.push(...literals);
    literals = [];
    const shift = from - end;
    varint(out, shift < 0 ? -2 * shift - 1 : 2 * shift);
    varint(out, best);
    end = from + best;
    i += best;
  }
  if (literals.length) {
    varint(out, literals.length);
    out.push(...literals);
  }
  return new Uint8Array(out);
}
