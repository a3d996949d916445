/**
 * A model's topology as artifact JSON (topology.ts reads it back, and
 * describes the layout). Only types of models are imported: models save
 * themselves through this without a cycle.
 */
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import { layerToJSON } from './layer_json.js';

type Ref = [number, number];

export function encodeTopology(model: Model): Record<string, unknown> {
  const layerJSON = (l: Layer) => ({ ...layerToJSON(l), ...(l.trainable ? {} : { trainable: false }) });
  if (model.className === 'Sequential') {
    return { className: 'Sequential', inputShape: [...model.inputs[0].spec.shape], layers: model.layers.map(layerJSON) };
  }
  const layers = model.layers;
  const ins = model.inputs;
  const nodes = model.topology('serialize').nodes;
  const ref = (t: SymbolicTensor): Ref => (t.node ? [nodes.indexOf(t.node), t.index] : [-1, ins.indexOf(t)]);
  return {
    className: 'Model',
    layers: layers.map(layerJSON),
    inputs: ins.map((t) => ({ name: t.name, shape: [...t.spec.shape], dtype: t.spec.dtype })),
    nodes: nodes.map((n) => ({
      layer: layers.indexOf(n.layer),
      inputs: n.inputs.map(ref),
      nStates: n.call.nStates,
      masks: n.call.masks,
      extra: n.call.extra,
      options: n.call.options,
      training: n.call.training,
    })),
    outputs: model.outputs.map(ref),
    ...(model.outputs.length === 1 && model.outputsAsList ? { outputList: true } : {}),
  };
}
