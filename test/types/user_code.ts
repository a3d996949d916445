// What a TypeScript user writes, compiled against the published declarations
// (dist/types) by test/types/types.test.ts. Every `@ts-expect-error` line must
// BE an error: tsc reports an unused one, so mistakes that type-check fail.
import {
  Sequential,
  Tensor,
  callbacks,
  fromTfjs,
  init,
  input,
  layers,
  loadModelSync,
  model,
  optimizers,
  tensor,
  type CompileOptions,
  type History,
  type ModelInput,
  type TfjsArtifacts,
} from 'wasm-rnn';

export async function classifier(): Promise<number> {
  await init();
  const m = new Sequential({
    seed: 1,
    layers: [
      layers.embedding({ inputDim: 100, outputDim: 8, maskZero: true }),
      layers.lstm({ units: 16 }),
      layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'binary_crossentropy' });
  // @ts-expect-error a misspelt loss
  m.compile({ optimizer: 'adam', loss: 'binaryCrossEntropy' });
  // @ts-expect-error an optimizer we do not have
  m.compile({ optimizer: 'adamw', loss: 'mse' });
  // @ts-expect-error a metric we do not have
  m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['auc'] });
  const x = tensor([[1, 2, 3]], undefined, 'int32');
  const h: History = await m.fit(x, tensor([[1]]), { epochs: 1, batchSize: 1, callbacks: [callbacks.earlyStopping()] });
  // @ts-expect-error a string is not data
  await m.fit('free money', [1]);
  // @ts-expect-error an unknown fit option
  await m.fit(x, [[1]], { epoch: 3 });
  const one: Tensor = m.predictOne(x);
  const any = m.predict(x);
  // @ts-expect-error a Sequential may return several outputs (returnState): predict is Tensor | Tensor[]
  const t: Tensor = any;
  return one.data[0] + h.epoch.length + (t ? 0 : 1);
}

export function functional(): number {
  const enc = input({ shape: [null], dtype: 'int32' });
  const dec = input({ shape: [null, 4] });
  const [, hState, cState] = layers
    .lstm({ units: 8, returnState: true })
    .apply(layers.embedding({ inputDim: 50, outputDim: 4 }).apply(enc));
  const y = layers.lstm({ units: 8, returnSequences: true }).apply(dec, { initialState: [hState, cState] });
  const out = layers.dense({ units: 5, activation: 'softmax' }).apply(y);
  const single = model({ inputs: [enc, dec], outputs: out });
  const p: Tensor = single.predict([x2(), x3()]);
  const both = model({ inputs: [enc, dec], outputs: [out, hState] });
  const [a, b] = both.predict({ [enc.name]: x2(), [dec.name]: x3() });
  // @ts-expect-error a model made with an array of outputs predicts an array
  const c: Tensor = both.predict([x2(), x3()]);
  // @ts-expect-error apply takes symbolic tensors, not data
  layers.dense({ units: 1 }).apply(x2());
  const opts: CompileOptions = { optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', null], lossWeights: [1, 0] };
  both.compile(opts);
  const inputs: ModelInput = { [enc.name]: x2(), [dec.name]: x3() };
  return p.size + a.size + b.size + (c ? 1 : 0) + (inputs ? 1 : 0);
}

function x2(): Tensor {
  return tensor([[1, 2]], undefined, 'int32');
}
function x3(): Tensor {
  return new Tensor(new Float32Array(8), [1, 2, 4]);
}

export function artifacts(
  a: {
    modelTopology?: {} | ArrayBuffer;
    weightSpecs?: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[];
    weightData?: ArrayBuffer | ArrayBuffer[];
  },
  bytes: Uint8Array,
): void {
  // TF.js's tf.io.ModelArtifacts has this shape: it is accepted as it is
  const art: TfjsArtifacts = a;
  fromTfjs(art);
  const m = loadModelSync(bytes);
  // @ts-expect-error engine internals are not part of the published types
  m.engine('x');
  // @ts-expect-error nor is the model's Rng
  void m.rng;
}
