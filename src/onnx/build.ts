/**
 * IR -> a model, through the public API only: `layers.*` factories with the
 * IR's configs, a Sequential when the graph is a chain, else a functional
 * model (input(), apply(), model()); then setWeights.
 */
import {
  formatError,
  input,
  layers,
  model,
  Sequential,
  Tensor,
  WasmRnnError,
  type Layer,
  type Model,
  type SymbolicTensor,
} from './core.js';
import type { IrGraph, IrLayer } from './ir.js';

type Factory = (config: Record<string, unknown>) => Layer;

const FACTORIES: Record<string, string> = {
  Embedding: 'embedding',
  LSTM: 'lstm',
  GRU: 'gru',
  SimpleRNN: 'simpleRNN',
  Dense: 'dense',
  Dropout: 'dropout',
  Masking: 'masking',
  Bidirectional: 'bidirectional',
  Activation: 'activation',
  Add: 'add',
  Subtract: 'subtract',
  Multiply: 'multiply',
  Average: 'average',
  Concatenate: 'concatenate',
  Flatten: 'flatten',
  Reshape: 'reshape',
  RepeatVector: 'repeatVector',
  TimeDistributed: 'timeDistributed',
  Conv1D: 'conv1d',
  MaxPooling1D: 'maxPooling1d',
  AveragePooling1D: 'averagePooling1d',
  GlobalMaxPooling1D: 'globalMaxPooling1d',
  GlobalAveragePooling1D: 'globalAveragePooling1d',
};

function factory(where: string, className: string): Factory {
  const f = (layers as unknown as Record<string, Factory | undefined>)[FACTORIES[className] ?? ''];
  if (!f) formatError(`${where}: needs a ${className} layer, which this version of wasm-rnn does not have`);
  return f;
}

/** One of our layers from an IR node (a wrapper's layer, Bidirectional's or TimeDistributed's, first). */
export function layerFromIr(where: string, l: IrLayer): Layer {
  try {
    const config = { ...l.config };
    const inner = config.layer as { className: string; config: Record<string, unknown> } | undefined;
    if (inner && typeof inner === 'object' && typeof inner.className === 'string') {
      config.layer = factory(
        where,
        inner.className,
      )({ ...inner.config, name: String(inner.config.name ?? `${String(config.name)}_layer`) });
    }
    return factory(where, l.className)(config);
  } catch (e) {
    if (e instanceof WasmRnnError && e.code === 'E_FORMAT') throw e;
    return formatError(`${where}: cannot build ${l.className} from ${l.origin}: ${(e as Error).message}`);
  }
}

/** A corrupted file can hold NaN or infinite weights: say where. */
function checkFinite(where: string, l: IrLayer): void {
  for (const w of l.weights) {
    const i = w.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) formatError(`${where}: ${l.origin}: weight ${w.name} holds ${w.data[i]} (at ${i})`);
  }
}

/** The graph is a chain a Sequential holds: one input, each layer taking the last one's output. */
export function isChain(ir: IrGraph): boolean {
  if (ir.inputs.length !== 1 || ir.layers.length === 0) return false;
  let prev = ir.inputs[0].id;
  for (const l of ir.layers) {
    if (l.initialState.length || l.inputs.length !== 1 || l.inputs[0].node !== prev || l.inputs[0].index !== 0) return false;
    prev = l.id;
  }
  const last = ir.layers[ir.layers.length - 1];
  const outs = ir.outputs.map((o) => o.ref);
  // the main output, or (returnState) the main output and the states in order
  return (
    outs.every((r, i) => r.node === last.id && r.index === i) && (last.config.returnState === true ? outs.length >= 2 : outs.length === 1)
  );
}

export function irToModel(where: string, ir: IrGraph, options: { name?: string; seed?: number } = {}): Model {
  if (!isChain(ir)) return irToFunctional(where, ir, options);
  const built = ir.layers.map((l) => layerFromIr(where, l));
  const name = options.name ?? ir.name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const model = new Sequential({ name, layers: built, ...(options.seed === undefined ? {} : { seed: options.seed }) });
  try {
    const input = ir.inputs[0];
    try {
      model.build(input.dtype === 'int32' ? [-1] : input.shape.map((d, i) => (i === 0 && input.shape.length === 2 ? -1 : d)), {
        initialize: false,
      });
    } catch (e) {
      formatError(`${where}: the layers do not fit together: ${(e as Error).message}`);
    }
    for (const l of ir.layers) checkFinite(where, l);
    model.setWeights(ir.layers.flatMap((l) => l.weights.map((w) => new Tensor(w.data, w.shape))));
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * A graph that is not a chain (several inputs or outputs, merges, states
 * handed between layers) as a functional model: input(), layer.apply(x,
 * { initialState }), model({ inputs, outputs }), then setWeights in the
 * model's layer order.
 */
export function irToFunctional(where: string, ir: IrGraph, options: { name?: string; seed?: number } = {}): Model {
  const symbols = new Map<string, SymbolicTensor[]>();
  const take = (r: { node: string; index: number }): SymbolicTensor => {
    const s = symbols.get(r.node)?.[r.index];
    if (!s) return formatError(`${where}: output ${r.index} of ${r.node} is not available`);
    return s;
  };
  const safe = (n: string) => n.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'input';
  for (const i of ir.inputs) {
    const shape = i.dtype === 'int32' ? [null] : i.shape.map((d, k) => (d < 0 || (k === 0 && i.shape.length === 2) ? null : d));
    symbols.set(i.id, [input({ shape, dtype: i.dtype, name: safe(i.name) })]);
  }
  const byLayer = new Map<Layer, IrLayer>();
  for (const l of ir.layers) {
    checkFinite(where, l);
    const layer = layerFromIr(where, l);
    byLayer.set(layer, l);
    const xs = l.inputs.map(take);
    let out: SymbolicTensor | SymbolicTensor[];
    try {
      out = layer.apply(xs.length === 1 ? xs[0] : xs, l.initialState.length ? { initialState: l.initialState.map(take) } : {});
    } catch (e) {
      return formatError(`${where}: ${l.origin} cannot take its inputs: ${(e as Error).message}`);
    }
    symbols.set(l.id, Array.isArray(out) ? out : [out]);
  }
  let m: Model;
  try {
    m = model({
      inputs: ir.inputs.map((i) => take({ node: i.id, index: 0 })),
      outputs: ir.outputs.map((o) => take(o.ref)),
      name: options.name ?? safe(ir.name),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
  } catch (e) {
    return formatError(`${where}: the layers do not make a model: ${(e as Error).message}`);
  }
  try {
    m.build(undefined, { initialize: false });
    m.setWeights(m.layers.flatMap((layer) => (byLayer.get(layer)?.weights ?? []).map((w) => new Tensor(w.data, w.shape))));
    return m;
  } catch (e) {
    m.dispose();
    throw e;
  }
}
