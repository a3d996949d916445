/**
 * Bag-of-words encodings of id sequences, as Keras's multi_hot / count /
 * tf_idf output modes: rows of ids (N, ragged) -> out (N, V) float32, V the
 * vocabulary size, column 0 the OOV token (no padding column in these modes).
 *
 *   multiHot  out[i, j] = 1 if id j occurs in text i
 *   count     out[i, j] = occurrences of id j in text i
 *   tfIdf     out[i, j] = count * idf[j], idf[j] = log(1 + N / (1 + df[j]))
 *             with N and df from adapt (Keras's formula; the OOV column gets
 *             the mean idf of the words, as Keras)
 */
import { Tensor } from '../tensor.js';

export type BagMode = 'multiHot' | 'count' | 'tfIdf';

export function encodeBag(mode: BagMode, rows: readonly Int32Array[], V: number, idf: Float32Array | null): Tensor {
  const N = rows.length;
  const out = new Float32Array(N * V);
  for (let i = 0; i < N; i++) {
    const ids = rows[i];
    const o = i * V;
    if (mode === 'multiHot') {
      for (let k = 0; k < ids.length; k++) out[o + ids[k]] = 1;
    } else {
      for (let k = 0; k < ids.length; k++) out[o + ids[k]] += 1;
    }
  }
  if (mode === 'tfIdf') {
    // Scale only the columns that were touched; counts stay exact integers
    // until this single multiply, as Keras's count-then-multiply.
    const done = new Int32Array(V).fill(-1);
    for (let i = 0; i < N; i++) {
      const ids = rows[i];
      for (let k = 0; k < ids.length; k++) {
        const j = ids[k];
        if (done[j] !== i) {
          done[j] = i;
          out[i * V + j] *= idf![j];
        }
      }
    }
  }
  return new Tensor(out, [N, V]);
}

/** Keras's idf: log(1 + N / (1 + df)), N documents, df documents with the token. */
export function inverseDocumentFrequency(documents: number, df: number): number {
  return Math.log(1 + documents / (1 + df));
}
