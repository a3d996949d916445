/**
 * A graph as the artifact's functional topology (the format
 * src/io/topology.ts decodes), whatever model class made it: a worker thread
 * rebuilds the same layers and nodes from it, through the same checks as a
 * loaded model. A Sequential's chain is written as the graph it is.
 */
import { layerToJSON } from '../io/layer_json.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Graph } from '../models/graph.js';

export function graphTopology(graph: Graph, name: string): Record<string, unknown> {
  const layers = graph.layers;
  const nodes = graph.nodes;
  const ref = (t: SymbolicTensor): [number, number] => (t.node ? [nodes.indexOf(t.node), t.index] : [-1, graph.inputs.indexOf(t)]);
  return {
    className: 'Model',
    name,
    seed: 0,
    layers: layers.map((l) => ({ ...layerToJSON(l), ...(l.trainable ? {} : { trainable: false }) })),
    inputs: graph.inputs.map((t) => ({ name: t.name, shape: [...t.spec.shape], dtype: t.spec.dtype })),
    nodes: nodes.map((n) => ({
      layer: layers.indexOf(n.layer),
      inputs: n.inputs.map(ref),
      nStates: n.call.nStates,
      masks: n.call.masks,
      extra: n.call.extra,
      options: n.call.options,
      training: n.call.training,
    })),
    outputs: graph.outputs.map(ref),
    outputList: true,
  };
}
