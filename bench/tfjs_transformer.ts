/**
 * W7's Transformer encoder in TF.js. TF.js 4.22 has LayerNormalization,
 * Dense, Add and GlobalAveragePooling1D layers but no MultiHeadAttention
 * and no token-and-position embedding, so those two are custom layers
 * built from TF.js ops here, with Keras's weight layout (ours loads into
 * them unchanged, and the gate checks they compute what we compute):
 *
 *   TokenAndPositionEmbedding   gather(E_token, ids) + E_position[0:T]
 *   MultiHeadAttention          projections as matMul over (B·T, D), heads
 *                               by reshape + transpose to (B,H,T,d),
 *                               matMul(Q, K, transposeB) / √Kd, softmax,
 *                               matMul(W, V), back to (B·T, H·Vd), output matMul
 *
 * TF.js differentiates these ops itself (its batched matMul, transpose,
 * softmax and gather gradients); the step is what TF.js users would write.
 */
import type { tf as TF } from './tfjs.js';

type Tf = typeof TF;
type Tensor = ReturnType<Tf['tensor']>;
type LayerVariable = ReturnType<InstanceType<Tf['layers']['Layer']>['addWeight']>;

/** The custom layer classes, made against one TF.js module (its Layer base class). */
export function transformerLayers(tf: Tf) {
  const zeros = () => tf.initializers.zeros();

  class TokenAndPositionEmbedding extends tf.layers.Layer {
    static className = 'TokenAndPositionEmbedding';
    private tok!: LayerVariable;
    private pos!: LayerVariable;

    constructor(
      private readonly V: number,
      private readonly L: number,
      private readonly D: number,
    ) {
      super({});
    }

    override build(): void {
      this.tok = this.addWeight('token_embedding/embeddings', [this.V, this.D], 'float32', zeros());
      this.pos = this.addWeight('position_embedding/embeddings', [this.L, this.D], 'float32', zeros());
      this.built = true;
    }

    override computeOutputShape(s: (number | null)[]): (number | null)[] {
      return [s[0], s[1], this.D];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const ids = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, 'int32');
        const T = ids.shape[1]!;
        return tf.add(tf.gather(this.tok.read(), ids), tf.slice(this.pos.read(), [0, 0], [T, this.D]));
      });
    }
  }

  class MultiHeadSelfAttention extends tf.layers.Layer {
    static className = 'MultiHeadSelfAttention';
    private w: LayerVariable[] = [];

    constructor(
      private readonly H: number,
      private readonly Kd: number,
    ) {
      super({});
    }

    override build(s: (number | null)[] | (number | null)[][]): void {
      const D = (Array.isArray(s[0]) ? (s[0] as number[]) : (s as number[]))[2];
      const { H, Kd } = this;
      // Keras order and shapes: query, key, value kernels (D,H,Kd) + biases (H,Kd); output (H,Kd,D) + (D)
      for (const n of ['query', 'key', 'value']) {
        this.w.push(
          this.addWeight(`${n}/kernel`, [D, H, Kd], 'float32', zeros()),
          this.addWeight(`${n}/bias`, [H, Kd], 'float32', zeros()),
        );
      }
      this.w.push(
        this.addWeight('attention_output/kernel', [H, Kd, D], 'float32', zeros()),
        this.addWeight('attention_output/bias', [D], 'float32', zeros()),
      );
      this.built = true;
    }

    override computeOutputShape(s: (number | null)[]): (number | null)[] {
      return s;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const [B, T, D] = x.shape as number[];
        const { H, Kd } = this;
        const rows = tf.reshape(x, [B * T, D]);
        const heads = (k: number) =>
          tf.transpose(
            tf.reshape(tf.add(tf.matMul(rows, tf.reshape(this.w[k].read(), [D, H * Kd])), tf.reshape(this.w[k + 1].read(), [H * Kd])), [
              B,
              T,
              H,
              Kd,
            ]),
            [0, 2, 1, 3],
          );
        const q = heads(0);
        const k = heads(2);
        const v = heads(4);
        const weights = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(Kd)), -1);
        const o = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [B * T, H * Kd]);
        const out = tf.add(tf.matMul(o, tf.reshape(this.w[6].read(), [H * Kd, D])), this.w[7].read());
        return tf.reshape(out, [B, T, D]);
      });
    }
  }

  return { TokenAndPositionEmbedding, MultiHeadSelfAttention };
}
