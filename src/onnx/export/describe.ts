/**
 * One of our models -> layer-graph IR, through its public surface: the
 * graph from its inputs and outputs, every layer's className, getConfig(),
 * weight names (weightSpecs) and getWeights(). Walking the graph reads the
 * engine's node records (SymbolicTensor.node / .index, Node.inputs / .call),
 * which are marked internal: the one place here that does. A Sequential is
 * the chain case; its tensors keep the names 'input', 'output', 'state_h',
 * 'state_c'; a functional model's keep their own.
 *
 * A layer called at several nodes appears once per call (its weights are
 * the same arrays each time).
 */
import type { Model, SymbolicTensor } from '../core.js';
import type { AxisMeaning, IrGraph, IrInput, IrLayer, IrRef } from '../ir.js';

type Node = NonNullable<SymbolicTensor['node']>;

function axesOf(shape: readonly number[], ids: boolean): AxisMeaning[] {
  if (ids) return ['batch', 'time'];
  return shape.length === 2 ? ['batch', 'time', 'features'] : ['batch', 'features'];
}

/** The layer graph of one of our models (what toOnnx writes). */
export function describeModel(model: Model): IrGraph {
  model.getWeights(); // builds the model (its weights) when its input shape is known
  const sequential = model.className === 'Sequential';
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (t: SymbolicTensor) => {
    const n = t.node;
    if (!n || seen.has(n)) return;
    seen.add(n);
    n.inputs.forEach(visit);
    order.push(n);
  };
  model.outputs.forEach(visit);

  const ids = new Map<Node, string>(order.map((n, k) => [n, `layer:${k}`]));
  const inputIds = new Map<SymbolicTensor, string>(model.inputs.map((t, k) => [t, `input:${k}`]));
  const ref = (t: SymbolicTensor): IrRef => ({ node: t.node ? ids.get(t.node)! : inputIds.get(t)!, index: t.node ? t.index : 0 });
  /** per-sample dimensions, -1 where only known at run time */
  const dims = (t: SymbolicTensor) => t.shape.slice(1).map((d) => d ?? -1);
  const inputs: IrInput[] = model.inputs.map((t) => {
    const shape = dims(t);
    const isIds = t.dtype === 'int32';
    return {
      id: inputIds.get(t)!,
      name: sequential ? 'input' : t.name,
      dtype: t.dtype,
      shape: isIds ? [-1] : shape,
      onnxAxes: axesOf(shape, isIds),
    };
  });
  const layers: IrLayer[] = order.map((n) => {
    const l = n.layer;
    const specs = l.weightSpecs();
    const values = l.getWeights();
    const { nInputs, nStates } = n.call;
    return {
      id: ids.get(n)!,
      className: l.className,
      config: l.getConfig(),
      weights: values.map((t, k) => ({ name: specs[k]?.name ?? `weight_${k}`, shape: [...t.shape], data: t.data as Float32Array })),
      inputs: n.inputs.slice(0, nInputs).map(ref),
      initialState: n.inputs.slice(nInputs, nInputs + nStates).map(ref),
      // an explicit mask of the first input sits right after the states
      ...(n.call.masks[0] ? { mask: ref(n.inputs[nInputs + nStates]) } : {}),
      origin: `${l.className} '${l.name}'`,
    };
  });
  const outputs = model.outputs.map((t, k) => ({
    name: sequential ? ['output', 'state_h', 'state_c'][k] : t.name,
    ref: ref(t),
    onnxAxes: axesOf(dims(t), false),
  }));
  return { name: model.name, inputs, layers, outputs };
}
