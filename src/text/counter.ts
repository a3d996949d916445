/**
 * Token counting for adapt() and the deterministic vocabulary order.
 *
 * One Map lookup per token gives the token's slot j (slots are numbered in
 * order of first appearance); counts live in growable typed arrays:
 *
 *   counts[j]   occurrences of token j in the corpus
 *   docFreq[j]  documents containing token j (only when tracked, for tf-idf)
 *   lastDoc[j]  last document that counted toward docFreq[j], so a token
 *               repeated in one document counts once without a Set per document
 *
 * Vocabulary order: count descending, ties broken by first appearance. The
 * comparator uses the slot number itself, so the order does not rest on sort
 * stability and is the same in every runtime. (Keras 3 breaks ties by token
 * text instead; Keras's Tokenizer, like us, by first appearance.)
 */

export class TokenCounter {
  /** Slot j -> token text, in order of first appearance. */
  readonly tokens: string[] = [];
  counts: Int32Array = new Int32Array(1024);
  docFreq: Int32Array | null;
  private lastDoc: Int32Array | null;
  private readonly slots = new Map<string, number>();
  /** Documents added so far. */
  documents = 0;

  constructor(trackDocuments: boolean) {
    this.docFreq = trackDocuments ? new Int32Array(1024) : null;
    this.lastDoc = trackDocuments ? new Int32Array(1024).fill(-1) : null;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Count one document's tokens. */
  addDocument(tokens: readonly string[]): void {
    const d = this.documents++;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      let j = this.slots.get(t);
      if (j === undefined) {
        j = this.tokens.length;
        if (j === this.counts.length) this.grow();
        this.slots.set(t, j);
        this.tokens.push(t);
      }
      this.counts[j]++;
      if (this.lastDoc !== null && this.lastDoc[j] !== d) {
        this.lastDoc[j] = d;
        this.docFreq![j]++;
      }
    }
  }

  private grow(): void {
    const n = this.counts.length * 2;
    this.counts = enlarge(this.counts, n, 0);
    if (this.docFreq !== null) this.docFreq = enlarge(this.docFreq, n, 0);
    if (this.lastDoc !== null) this.lastDoc = enlarge(this.lastDoc, n, -1);
  }
}

function enlarge(a: Int32Array, n: number, fill: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/**
 * Slots of the vocabulary, best first: tokens counted at least minFrequency
 * times and not in `exclude`, at most `limit` of them.
 */
export function rankTokens(c: TokenCounter, minFrequency: number, limit: number, exclude: ReadonlySet<string>): Int32Array {
  const counts = c.counts;
  let n = 0;
  const keep = new Int32Array(c.size);
  for (let j = 0; j < c.size; j++) {
    if (counts[j] >= minFrequency && !exclude.has(c.tokens[j])) keep[n++] = j;
  }
  const ranked = keep.subarray(0, n).sort((a, b) => counts[b] - counts[a] || a - b);
  return ranked.slice(0, Math.min(n, limit));
}
