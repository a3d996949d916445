/**
 * Teacher forcing and length buckets: the decoder reads START y1..yL and is
 * scored on y1..yL END, padded with 0; buckets cover every sample once, keep
 * lengths inside a batch close, and change their make-up with the Rng.
 */
import { describe, expect, it } from 'vitest';
import { lengthBuckets, paddingFraction, inOrder, teacherForcing } from '../../src/seq2seq/batches.js';
import { Rng } from '../util.js';

const seqs = (lens: number[], base: number) => lens.map((n, i) => Int32Array.from({ length: n }, (_, t) => base + ((i + t) % 5)));

describe('teacherForcing', () => {
  it('shifts the target right behind START for the decoder input and ends the target with END; pads with 0', () => {
    const src = seqs([2, 4], 1);
    const tgt = [Int32Array.of(5, 6, 7), Int32Array.of()];
    const tf = teacherForcing(src, tgt, [0, 1]);
    expect(tf.source.shape).toEqual([2, 4]);
    expect(Array.from(tf.source.data)).toEqual([1, 2, 0, 0, 2, 3, 4, 5]);
    expect(tf.decoderInput.shape).toEqual([2, 4]);
    expect(Array.from(tf.decoderInput.data)).toEqual([1, 5, 6, 7, 1, 0, 0, 0]);
    expect(Array.from(tf.decoderTarget.data)).toEqual([5, 6, 7, 2, 2, 0, 0, 0]);
    expect(tf.tokens).toBe(4 + 1);
  });
});

describe('lengthBuckets', () => {
  const r = new Rng(3);
  const lens = Array.from({ length: 500 }, () => 1 + r.int(20));
  const src = seqs(lens, 1);
  const tgt = seqs(
    lens.map((n) => Math.max(0, n - 1 + r.int(3))),
    3,
  );

  it('covers every sample exactly once, in batches of batchSize (the last may be short)', () => {
    const b = lengthBuckets(src, tgt, 32, new Rng(1));
    expect(b.length).toBe(Math.ceil(500 / 32));
    expect(b.filter((x) => x.length !== 32).length).toBe(1);
    const all = b.flatMap((x) => Array.from(x)).sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('pads far less than batches in sample order, and reshuffles with the Rng', () => {
    const bucketed = paddingFraction(src, tgt, lengthBuckets(src, tgt, 32, new Rng(1)));
    const plain = paddingFraction(src, tgt, inOrder(500, 32, new Rng(1)));
    expect(bucketed).toBeLessThan(0.1);
    expect(plain).toBeGreaterThan(0.3);
    const a = lengthBuckets(src, tgt, 32, new Rng(1)).map((x) => Array.from(x).join());
    const b = lengthBuckets(src, tgt, 32, new Rng(2)).map((x) => Array.from(x).join());
    expect(a).not.toEqual(b);
    // without an Rng the batches are fixed (evaluation)
    expect(lengthBuckets(src, tgt, 32, null)).toEqual(lengthBuckets(src, tgt, 32, null));
  });
});
