/** Twin of assembly/embedding.ts. hi is the int32 view of the heap. */

// y (N,D) = w[ids]
export function embeddingForward(h: Float32Array, hi: Int32Array, y: number, ids: number, w: number, N: number, D: number): void {
  for (let n = 0; n < N; n++) {
    const src = w + hi[ids + n] * D;
    h.copyWithin(y + n * D, src, src + D);
  }
}

// dw (V,D) += scatter of dy (N,D) to rows ids
export function embeddingBackward(h: Float32Array, hi: Int32Array, dw: number, dy: number, ids: number, N: number, D: number): void {
  for (let n = 0; n < N; n++) {
    const dst = dw + hi[ids + n] * D;
    const src = dy + n * D;
    for (let j = 0; j < D; j++) h[dst + j] += h[src + j];
  }
}

// mask (N) = ids != 0
export function maskFromIds(h: Float32Array, hi: Int32Array, mask: number, ids: number, N: number): void {
  for (let n = 0; n < N; n++) h[mask + n] = hi[ids + n] !== 0 ? 1 : 0;
}
