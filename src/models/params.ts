/**
 * A model's parameters. Each layer owns one weight block (its weights in
 * Keras order, without gaps), made and initialised by the first model that
 * holds the layer and shared by every model holding it later (an encoder
 * used by a training model and by an inference model has one set of
 * weights). The model owns one gradient block: the layers' weights in the
 * model's layer order, so a chain's gradients (and the optimizer state laid
 * out like them) are one contiguous range.
 *
 * `segments` are the runs that are contiguous in both a weight block and the
 * gradient block, trainable layers only: the optimizer updates each in one
 * kernel call.
 */
import type { Backend, Buf } from '../backend/backend.js';
import { WasmRnnError, fail } from '../errors.js';
import type { Layer, WeightSlot } from '../layers/layer.js';
import type { Rng } from '../rng.js';
import { shapeSize } from '../tensor.js';

/** Weights and gradients the optimizer updates together. */
export interface Segment {
  w: Buf;
  g: Buf;
  /** where g starts in the gradient block (the optimizer's state has the same layout) */
  offset: number;
  length: number;
}

export class Params {
  /** every weight, layer by layer in Keras order (getWeights order) */
  readonly slots: WeightSlot[] = [];
  /** per layer, its slots */
  readonly byLayer = new Map<Layer, WeightSlot[]>();
  readonly grads: Buf;
  readonly size: number;
  private segments_: Segment[] | null = null;
  private readonly trainableSeen: boolean[] = [];
  private backupPairs: { from: Buf; to: Buf }[] | null = null;
  private backupBuf: Buf | null = null;
  private released = false;

  constructor(
    private readonly be: Backend,
    readonly layers: readonly Layer[],
    rng: Rng,
    initialize: boolean,
    where: string,
  ) {
    this.size = layers.reduce((n, l) => n + l.weightSpecs().reduce((a, s) => a + shapeSize(s.shape, s.name), 0), 0);
    const made: Layer[] = [];
    try {
      for (const l of layers) {
        if (l.weightBlock) {
          if (l.weightBlock.backend !== be) fail('E_ARG', `${where}: layer '${l.name}' already has its weights on another backend`);
          continue;
        }
        this.makeBlock(l);
        made.push(l);
      }
      this.grads = be.zeros(Math.max(1, this.size));
      // every buffer first, then the (slow) initialisers: a model too large fails at once
      for (const l of made) this.initialize(l, rng, initialize);
    } catch (e) {
      for (const l of made) {
        if (l.weightBlock) be.free(l.weightBlock.buf);
        l.weightBlock = null;
      }
      if (e instanceof WasmRnnError && e.code === 'E_MEMORY') {
        const gb = ((this.size * 8) / 2 ** 30).toFixed(1);
        throw new WasmRnnError(
          'E_MEMORY',
          `${where}: ${this.size.toLocaleString('en-US')} parameters need ${gb} GiB for weights and gradients, ` +
            `more than this runtime's memory allows (WebAssembly: 4 GiB); make the model smaller (vocabulary, units) — ${e.message}`,
        );
      }
      throw e;
    }
    let offset = 0;
    for (const l of layers) {
      const block = l.weightBlock!;
      block.users++;
      const slots = l.weightSpecs().map((spec, k) => {
        const n = block.views[k].length;
        const slot: WeightSlot = { spec, w: block.views[k], dw: be.view(this.grads, offset, n) };
        offset += n;
        return slot;
      });
      this.byLayer.set(l, slots);
      this.slots.push(...slots);
    }
  }

  /** A layer's weight block. */
  private makeBlock(l: Layer): void {
    const specs = l.weightSpecs();
    const sizes = specs.map((s) => shapeSize(s.shape, s.name));
    const total = sizes.reduce((a, b) => a + b, 0);
    const be = this.be;
    const buf = be.alloc(Math.max(1, total));
    let off = 0;
    const views = sizes.map((n) => {
      const v = be.view(buf, off, n);
      off += n;
      return v;
    });
    l.weightBlock = { backend: be, buf, views, users: 0 };
  }

  /** Initialise a new block in weight order from the model's Rng (zeros when a loader overwrites them next). */
  private initialize(l: Layer, rng: Rng, initialize: boolean): void {
    const { views } = l.weightBlock!;
    l.weightSpecs().forEach((s, k) => {
      if (initialize) this.be.write(views[k], s.init(rng, s.shape));
      else this.be.fill(views[k], 0);
    });
  }

  /** Contiguous trainable runs (recomputed when a layer's `trainable` changes). */
  get segments(): readonly Segment[] {
    if (this.segments_ && !this.trainableChanged()) return this.segments_;
    const segs: Segment[] = [];
    let offset = 0;
    this.layers.forEach((l, i) => {
      this.trainableSeen[i] = l.trainable;
      const n = this.byLayer.get(l)!.reduce((a, s) => a + s.w.length, 0);
      if (l.trainable && n > 0) segs.push({ w: l.weightBlock!.buf, g: this.be.view(this.grads, offset, n), offset, length: n });
      offset += n;
    });
    this.segments_ = segs;
    return segs;
  }

  private trainableChanged(): boolean {
    for (let i = 0; i < this.layers.length; i++) if (this.layers[i].trainable !== this.trainableSeen[i]) return true;
    return false;
  }

  /** The slots of layers whose weights the optimizer updates. */
  trainableSlots(): WeightSlot[] {
    return this.layers.filter((l) => l.trainable).flatMap((l) => this.byLayer.get(l)!);
  }

  /** Zero the gradients of frozen layers (some kernels add them regardless). */
  clearFrozen(): void {
    for (const l of this.layers) if (!l.trainable) for (const s of this.byLayer.get(l)!) this.be.fill(s.dw, 0);
  }

  /** The layer and weight holding the first non-finite value, or null. */
  findNonFinite(which: 'w' | 'dw'): { layer: Layer; slot: WeightSlot } | null {
    for (const l of this.layers) {
      for (const s of this.byLayer.get(l)!) if (this.be.hasNonFinite(s[which])) return { layer: l, slot: s };
    }
    return null;
  }

  /** All weights as one flat copy, in getWeights order. */
  read(): Float32Array {
    const out = new Float32Array(this.size);
    let at = 0;
    for (const s of this.slots) {
      this.be.readInto(s.w, out.subarray(at, at + s.w.length));
      at += s.w.length;
    }
    return out;
  }

  /** Overwrite all weights from one flat array in getWeights order. */
  write(w: Float32Array): void {
    if (w.length !== this.size) fail('E_SHAPE', `setWeights: expected ${this.size} values, got ${w.length}`);
    let at = 0;
    for (const s of this.slots) {
      this.be.write(s.w, w.subarray(at, at + s.w.length));
      at += s.w.length;
    }
  }

  /**
   * Keep a copy of every weight (save) or put it back (restore): the update
   * that overflowed must not survive. The copy's buffer is made once.
   */
  backup(restore: boolean): void {
    if (!this.backupPairs) {
      const buf = (this.backupBuf = this.be.alloc(Math.max(1, this.size)));
      let at = 0;
      this.backupPairs = [];
      for (const l of this.layers) {
        const n = this.byLayer.get(l)!.reduce((a, s) => a + s.w.length, 0);
        if (n === 0) continue;
        this.backupPairs.push({ from: this.be.view(l.weightBlock!.buf, 0, n), to: this.be.view(buf, at, n) });
        at += n;
      }
    }
    for (const p of this.backupPairs) {
      if (restore) this.be.copy(p.from, p.to, p.from.length);
      else this.be.copy(p.to, p.from, p.from.length);
    }
  }

  /** Give the gradient block back; free each layer's weights when no model holds the layer any more. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.be.free(this.grads);
    if (this.backupBuf) this.be.free(this.backupBuf);
    for (const l of this.layers) {
      const b = l.weightBlock;
      if (!b) continue;
      if (--b.users <= 0) {
        this.be.free(b.buf);
        l.weightBlock = null;
      }
    }
  }
}
