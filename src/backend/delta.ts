/**
 * Applying a byte delta (made by build/delta.mjs): the relaxed-SIMD build is
 * embedded as its difference from the SIMD build, ~1.6 KB of base64 instead
 * of ~22 KB, since both come from one source and differ only where relaxed
 * instructions replace SIMD ones.
 *
 * Format, every number LEB128: the target's length, then until the target is
 * complete: a count of literal bytes and those bytes; then (if the target is
 * not complete yet) a copy: the shift of its start in the source from where
 * the previous copy ended (zigzag: 2s for s >= 0, -2s - 1 below), and its
 * length.
 */

/** `source` with `delta` applied: the target bytes. Throws on a delta that does not fit the source. */
export function applyDelta(source: Uint8Array, delta: Uint8Array): Uint8Array<ArrayBuffer> {
  let p = 0;
  const next = (): number => {
    let n = 0;
    for (let scale = 1; ; scale *= 128) {
      if (p >= delta.length) throw new Error('the delta ends early');
      const b = delta[p++];
      n += (b & 127) * scale;
      if (b < 128) return n;
    }
  };
  const out = new Uint8Array(next());
  let o = 0;
  let end = 0;
  while (o < out.length) {
    const literals = next();
    if (p + literals > delta.length || o + literals > out.length) throw new Error('the delta does not fit its source');
    out.set(delta.subarray(p, p + literals), o);
    p += literals;
    o += literals;
    if (o === out.length) break;
    const z = next();
    const from = end + (z % 2 ? -(z + 1) / 2 : z / 2);
    const n = next();
    if (from < 0 || from + n > source.length || o + n > out.length) throw new Error('the delta does not fit its source');
    out.set(source.subarray(from, from + n), o);
    o += n;
    end = from + n;
  }
  if (p !== delta.length) throw new Error('the delta does not fit its source');
  return out;
}
