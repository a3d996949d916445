/**
 * Decoding: greedy and beam search over the decoder step model.
 *
 * The encoder reads a chunk of sources once. Then, per output position, ONE
 * call of the step model runs every live hypothesis of every source of the
 * chunk as one batch row, over one time step, from the states the previous
 * call returned: a token costs the same whatever the length of the prefix.
 *
 * Scores are log-probabilities under the model, log p(y|x) = Σ_t log p(y_t |
 * y_<t, x), the end token included. With lengthPenalty α > 0 hypotheses are
 * ranked by log p / |y|^α (|y| counts the end token), which stops the search
 * from preferring short outputs merely because they multiply fewer
 * probabilities; α = 0 (default) ranks by log p.
 *
 * Beam search of width K, per source:
 *   candidates = every live hypothesis extended by each of its K likeliest
 *                next tokens (padding and start are never emitted);
 *   keep the K best candidates; one that ends (end token, or maxLength
 *   tokens) is finished, the rest are live;
 *   stop when K hypotheses have finished, when nothing is live, or — with
 *   α = 0 — when the best finished log p is at least the best live one
 *   (extending a hypothesis can only lower its log p, so nothing live can
 *   win any more).
 * The result is the best finished hypothesis. K = 1 is greedy decoding
 * exactly. For K > 1 the greedy hypothesis runs alongside as one more row
 * and competes for the result: plain beam search can return a sequence the
 * model scores lower than greedy's (the greedy prefix may drop out of the
 * beam), so with it a wider beam never scores worse than greedy.
 */
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor.js';
import { padIds } from './batches.js';
import { END_ID, START_ID } from './vocab.js';

export interface DecodeSettings {
  beamWidth: number;
  maxLength: number;
  lengthPenalty: number;
  /** sources per encoder call / step batch */
  batchSize: number;
}

export interface Hypothesis {
  /** output ids, the end token left out */
  ids: Int32Array;
  /** log p(ids, end | source) under the model (without an end token when it never ended) */
  logProb: number;
  /** what hypotheses were ranked by: logProb / length^lengthPenalty */
  score: number;
  /** it emitted the end token (false: stopped at maxLength) */
  ended: boolean;
}

// a float32 softmax can round a tiny probability to 0: log is capped there
const MIN_PROB = 1e-30;
const FIRST_TOKEN = END_ID; // ids below (padding, start) are never emitted

/** A hypothesis being extended: its source, its tokens so far, their log p, and whether it is the greedy row run beside a beam. */
interface Row {
  src: number;
  ids: number[];
  logProb: number;
  greedy: boolean;
}

export class Decoder {
  /** step-model calls made, and the rows of each (tests read them) */
  readonly calls: number[] = [];

  constructor(
    private readonly encoder: Model,
    private readonly step: Model,
  ) {}

  decode(sources: readonly Int32Array[], s: DecodeSettings): Hypothesis[] {
    const out: Hypothesis[] = new Array(sources.length);
    for (let from = 0; from < sources.length; from += s.batchSize) {
      const to = Math.min(sources.length, from + s.batchSize);
      const idx = Int32Array.from({ length: to - from }, (_, i) => from + i);
      this.chunk(padIds(sources, idx), s).forEach((h, i) => (out[from + i] = h));
    }
    return out;
  }

  /** Decode one chunk of padded sources (n, Ts). */
  private chunk(source: Tensor, s: DecodeSettings): Hypothesis[] {
    const n = source.shape[0];
    const K = s.beamWidth;
    const enc = this.encoder.predict(source, { batchSize: n });
    const encStates = (Array.isArray(enc) ? enc : [enc]).map((t) => t.data as Float32Array);
    const H = encStates[0].length / n;
    const finished: Hypothesis[][] = Array.from({ length: n }, () => []);
    const greedyResult: (Hypothesis | null)[] = new Array(n).fill(null);
    const score = (logProb: number, length: number) => (s.lengthPenalty === 0 ? logProb : logProb / length ** s.lengthPenalty);
    const finish = (r: Row, id: number, logProb: number): Hypothesis => {
      const ended = id === END_ID;
      const ids = Int32Array.from(ended ? r.ids : [...r.ids, id]);
      return { ids, logProb, score: score(logProb, ids.length + (ended ? 1 : 0)), ended };
    };

    // every source starts with one beam row (and a greedy row beside it when K > 1), from the encoder's states
    let rows: Row[] = [];
    const parents: number[] = [];
    for (let b = 0; b < n; b++) {
      rows.push({ src: b, ids: [], logProb: 0, greedy: false });
      parents.push(b);
      if (K > 1) {
        rows.push({ src: b, ids: [], logProb: 0, greedy: true });
        parents.push(b);
      }
    }
    let states = encStates.map((st) => gatherRows(st, parents, H));

    const V = this.step.outputs[0].shape.at(-1) as number;
    const topIds = new Int32Array(K);
    const topP = new Float64Array(K);
    while (rows.length > 0) {
      const R = rows.length;
      const tokens = Int32Array.from(rows, (r) => (r.ids.length ? r.ids[r.ids.length - 1] : START_ID));
      const outs = this.step.predict([new Tensor(tokens, [R, 1]), ...states.map((st) => new Tensor(st, [R, H]))], {
        batchSize: R,
      }) as Tensor[];
      this.calls.push(R);
      const probs = outs[0].data;
      const next: Row[] = [];
      const nextParents: number[] = [];
      // rows are grouped by source: [start, end) is one source's
      for (let start = 0; start < R;) {
        const b = rows[start].src;
        let end = start;
        while (end < R && rows[end].src === b) end++;
        const cands: { parent: number; id: number; logProb: number }[] = [];
        for (let r = start; r < end; r++) {
          const row = rows[r];
          // the K likeliest next tokens (log is monotonic: rank the probabilities, take logs of the winners only)
          const k = topK(probs, r * V, V, row.greedy ? 1 : K, topIds, topP);
          if (row.greedy) {
            const id = topIds[0];
            const lp = row.logProb + Math.log(Math.max(topP[0], MIN_PROB));
            if (id === END_ID || row.ids.length + 1 >= s.maxLength) greedyResult[b] = finish(row, id, lp);
            else {
              next.push({ src: b, ids: [...row.ids, id], logProb: lp, greedy: true });
              nextParents.push(r);
            }
            continue;
          }
          for (let j = 0; j < k; j++)
            cands.push({ parent: r, id: topIds[j], logProb: row.logProb + Math.log(Math.max(topP[j], MIN_PROB)) });
        }
        if (cands.length > 0) {
          // best first; ties: the earlier row, then the lower id (deterministic)
          cands.sort((p, q) => q.logProb - p.logProb || p.parent - q.parent || p.id - q.id);
          const live: Row[] = [];
          const liveParents: number[] = [];
          for (const c of cands.slice(0, K)) {
            const row = rows[c.parent];
            if (c.id === END_ID || row.ids.length + 1 >= s.maxLength) {
              finished[b].push(finish(row, c.id, c.logProb));
            } else {
              live.push({ src: b, ids: [...row.ids, c.id], logProb: c.logProb, greedy: false });
              liveParents.push(c.parent);
            }
          }
          const bestFinished = finished[b].reduce((m, h) => Math.max(m, h.logProb), -Infinity);
          const bestLive = live.reduce((m, h) => Math.max(m, h.logProb), -Infinity);
          const done = finished[b].length >= K || live.length === 0 || (s.lengthPenalty === 0 && bestFinished >= bestLive);
          if (!done) {
            next.push(...live);
            nextParents.push(...liveParents);
          }
        }
        start = end;
      }
      // each surviving row continues from its parent's new states
      states = outs.slice(1).map((t) => gatherRows(t.data as Float32Array, nextParents, H));
      rows = next;
    }

    return Array.from({ length: n }, (_, b) => {
      let best: Hypothesis | null = greedyResult[b];
      for (const h of finished[b]) if (!best || h.score > best.score) best = h;
      return best!;
    });
  }
}

/** Rows `parents[i]` of a (rows, H) matrix, in that order. */
function gatherRows(src: Float32Array, parents: readonly number[], H: number): Float32Array {
  const out = new Float32Array(parents.length * H);
  parents.forEach((p, i) => out.set(src.subarray(p * H, (p + 1) * H), i * H));
  return out;
}

/** The k largest of p[off + FIRST_TOKEN .. off + V), best first (ties: the lower id), into ids/pk; returns how many (fewer when V is tiny). */
function topK(p: ArrayLike<number>, off: number, V: number, k: number, ids: Int32Array, pk: Float64Array): number {
  let m = 0;
  for (let v = FIRST_TOKEN; v < V; v++) {
    const x = p[off + v];
    if (m === k && x <= pk[k - 1]) continue;
    let j = m < k ? m++ : k - 1;
    while (j > 0 && pk[j - 1] < x) {
      pk[j] = pk[j - 1];
      ids[j] = ids[j - 1];
      j--;
    }
    pk[j] = x;
    ids[j] = v;
  }
  return m;
}
