/**
 * The contenders of the model benchmarks, behind one interface: wasm-rnn on
 * one backend (a wasm build or the JS twin) and TF.js on its cpu or wasm
 * backend. A contender builds a workload's model with given weights and
 * stages a batch (tensors made outside the timed region) to train on or
 * predict from.
 */
import type { Backend } from '../src/backend/backend.js';
import type { TimeOptions, Timing } from './harness.js';
import { optimizers } from '../src/index.js';
import { ourModel, ourTensor, type Ours, type Tensor } from './ours.js';
import { useTf, type TfBackend } from './tfjs.js';
import { SEED, type HostBatch, type Workload } from './workloads.js';

/** The other-process and other-engine contenders' names (native.ts), which report.ts takes ratios against. */
export const ORT_NAME = 'onnxruntime-web';
export const TORCH_NAME = 'pytorch native';

/** SGD learning rate of the training gate: each step must move the loss measurably, without overshooting. */
export const GATE_SGD_LR = 0.2;

/** A batch staged for one model. */
export interface Staged {
  train(): Promise<number>;
  predict(batchSize: number): Promise<Float32Array>;
  /**
   * Contenders in another process time themselves (the pipe is not part of
   * a step): per-call ms of `what` after the options' warm-up.
   */
  time?(what: 'train' | 'predict', batchSize: number, o: TimeOptions): Promise<Timing>;
  dispose(): void;
}

export interface Model {
  stage(h: HostBatch): Staged;
  dispose(): void;
  /** ours only: the weights (the twin's are every contender's starting point) */
  getWeights?(): Tensor[];
}

export interface BuildOptions {
  /** the training-gate variant of the stack (dropout off) */
  gate?: boolean;
  /** 'adam' (lr 1e-3, what is timed) or 'sgd' (GATE_SGD_LR) */
  optimizer?: 'adam' | 'sgd';
}

export interface Contender {
  name: string;
  /** ours: a wasm-rnn backend */
  ours: boolean;
  /** seconds per training step: few samples in the quick run */
  slow: boolean;
  /** the workload ids it runs (default: every one) */
  workloads?: string[];
  build(w: Workload, weights: Tensor[] | null, o?: BuildOptions): Promise<Model>;
}

/** wasm-rnn on backend `be`. With weights null, the model keeps its seeded initial weights. */
export function oursContender(be: Backend, slow: boolean): Contender {
  return {
    name: `wasm-rnn ${be.name}`,
    ours: true,
    slow,
    async build(w, weights, o = {}) {
      const optimizer =
        o.optimizer === 'sgd'
          ? optimizers.sgd({ learningRate: w.gateLearningRate ?? GATE_SGD_LR })
          : optimizers.adam({ learningRate: 1e-3 });
      const m: Ours = ourModel(be, { seed: SEED, layers: w.ours(!!o.gate), inputShape: w.inputShape, loss: w.loss, optimizer });
      if (weights) m.setWeights(weights);
      return {
        stage(h) {
          const x = ourTensor(h.x, h.xShape);
          const y = ourTensor(h.y, h.yShape);
          return {
            train: async () => m.train(x, y),
            predict: async (batchSize) => m.predict(x, batchSize),
            dispose() {},
          };
        },
        dispose: () => m.dispose(),
        getWeights: () => m.getWeights(),
      };
    },
  };
}

/** A workload's TF.js model: its stack as a Sequential, or its own functional model. */
export function tfModelOf(t: Awaited<ReturnType<typeof useTf>>, w: Workload, gate: boolean) {
  const spec = w.tfjs(t, gate);
  return Array.isArray(spec) ? t.sequential({ layers: spec }) : spec;
}

/** TF.js on one backend, with our weights copied in. */
export function tfContender(backend: TfBackend, slow: boolean): Contender {
  return {
    name: `tfjs ${backend}`,
    ours: false,
    slow,
    async build(w, weights, o = {}) {
      const t = await useTf(backend);
      const m = tfModelOf(t, w, !!o.gate);
      if (!weights) throw new Error('tfjs contender needs weights');
      const ws = weights.map((x) => t.tensor(x.data, [...x.shape]));
      m.setWeights(ws);
      t.dispose(ws);
      m.compile({ optimizer: o.optimizer === 'sgd' ? t.train.sgd(w.gateLearningRate ?? GATE_SGD_LR) : t.train.adam(1e-3), loss: w.loss });
      const on = async () => {
        if (t.getBackend() !== backend) await useTf(backend);
      };
      return {
        stage(h) {
          const x = t.tensor(h.x, h.xShape, h.x instanceof Int32Array ? 'int32' : 'float32');
          const y = t.tensor(h.y, h.yShapeTf, 'float32');
          return {
            train: async () => {
              await on();
              const r = await m.trainOnBatch(x, y);
              return Array.isArray(r) ? r[0] : r;
            },
            predict: async (batchSize) => {
              await on();
              const p = m.predict(x, { batchSize }) as ReturnType<typeof t.tensor>;
              const d = p.dataSync() as Float32Array;
              p.dispose();
              return d;
            },
            dispose: () => t.dispose([x, y]),
          };
        },
        dispose: () => {
          m.optimizer?.dispose();
          m.dispose();
        },
      };
    },
  };
}
