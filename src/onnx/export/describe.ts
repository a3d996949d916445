/**
 * One of our models -> layer-graph IR, through its public surface: the
 * layers (className, getConfig(), their weight specs) and getWeights().
 * A Sequential is a chain; functional models join here when they exist.
 */
import type { Sequential } from '../core.js';
import type { AxisMeaning, IrGraph, IrLayer } from '../ir.js';

/** The layer graph of one of our models (what toOnnx writes). */
export function describeModel(model: Sequential): IrGraph {
  const weights = model.getWeights(); // builds the model when its input shape is known
  const first = model.layers[0];
  const ids = first.className === 'Embedding';
  const shape = [...(first.inputShape ?? [])];
  const inputId = 'input:input';
  let at = 0;
  let prev = inputId;
  const layers: IrLayer[] = model.layers.map((l, i) => {
    const ws = l.weights.map((slot) => {
      const t = weights[at++];
      return { name: slot.spec.name, shape: [...t.shape], data: t.data as Float32Array };
    });
    const ir: IrLayer = {
      id: `layer:${i}`, className: l.className, config: l.getConfig(), weights: ws,
      inputs: [{ node: prev, index: 0 }], initialState: [], origin: `${l.className} '${l.name}'`,
    };
    prev = ir.id;
    return ir;
  });
  const last = layers[layers.length - 1];
  const states = last.config.returnState === true ? (last.className === 'LSTM' ? 2 : 1) : 0;
  const sequence = (model.layers[model.layers.length - 1].outputShape ?? []).length === 2;
  const outputs = Array.from({ length: 1 + states }, (_, k) => ({
    name: ['output', 'state_h', 'state_c'][k], ref: { node: last.id, index: k },
    onnxAxes: (k === 0 && sequence ? ['batch', 'time', 'features'] : ['batch', 'features']) as AxisMeaning[],
  }));
  const inputAxes: AxisMeaning[] = ids || shape.length === 2 ? ['batch', 'time', 'features'].slice(0, ids ? 2 : 3) as AxisMeaning[] : ['batch', 'features'];
  return {
    name: model.name,
    inputs: [{ id: inputId, name: 'input', dtype: ids ? 'int32' : 'float32', shape: ids ? [-1] : shape, onnxAxes: inputAxes }],
    layers,
    outputs,
  };
}
