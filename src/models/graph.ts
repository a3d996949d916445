/**
 * A closed functional graph: the nodes between a model's inputs and outputs
 * in topological order, every tensor numbered (inputs first, then each
 * node's outputs in order), and who consumes what. Built once per model and
 * checked when it is built, not mid-training: an output that needs an input
 * the model does not list, an input no output uses, a cycle, or two layers
 * with one name are each a WasmRnnError naming the tensors and layers.
 */
import { fail } from '../errors.js';
import type { Layer, Shape, TensorSpec } from '../layers/layer.js';
import { SymbolicTensor, type Node } from '../layers/symbolic.js';

export class Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** producers before consumers */
  readonly nodes: readonly Node[];
  /** every layer once, in the order of its first node */
  readonly layers: readonly Layer[];
  /** every tensor: the inputs, then each node's outputs */
  readonly tensors: readonly SymbolicTensor[];
  /** tensor -> its index in `tensors` */
  readonly index: ReadonlyMap<SymbolicTensor, number>;
  /** per node, the indices of its input and output tensors */
  readonly nodeIn: readonly (readonly number[])[];
  readonly nodeOut: readonly (readonly number[])[];
  /** per tensor, how many (node, slot) pairs read it */
  readonly uses: readonly number[];

  constructor(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[], where: string) {
    if (inputs.length === 0) fail('E_ARG', `${where}: a model needs at least one input`);
    if (outputs.length === 0) fail('E_ARG', `${where}: a model needs at least one output`);
    inputs.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) fail('E_ARG', `${where}: inputs[${i}] must be a tensor from input()`);
      if (t.node)
        fail('E_ARG', `${where}: inputs[${i}] (${t}) is the output of layer '${t.node.layer.name}', not a graph input made with input()`);
    });
    if (new Set(inputs).size !== inputs.length) fail('E_ARG', `${where}: an input is listed twice`);
    outputs.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) fail('E_ARG', `${where}: outputs[${i}] must be a symbolic tensor from a layer's apply()`);
    });

    // depth-first from the outputs: post-order is a topological order
    const order: Node[] = [];
    const state = new Map<Node, 1 | 2>(); // 1 on the stack, 2 done
    const usedInputs = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor, from: string): void => {
      if (!t.node) {
        if (!inputs.includes(t)) {
          fail(
            'E_ARG',
            `${where}: the graph is disconnected: ${from} needs input ${t}, which is not among the model's inputs (${inputs.map(String).join(', ')})`,
          );
        }
        usedInputs.add(t);
        return;
      }
      const s = state.get(t.node);
      if (s === 2) return;
      if (s === 1) fail('E_ARG', `${where}: the graph has a cycle through layer '${t.node.layer.name}'`);
      state.set(t.node, 1);
      for (const x of t.node.inputs) visit(x, `layer '${t.node.layer.name}'`);
      state.set(t.node, 2);
      order.push(t.node);
    };
    outputs.forEach((t, i) => visit(t, `outputs[${i}]`));
    const unused = inputs.filter((t) => !usedInputs.has(t));
    if (unused.length)
      fail('E_ARG', `${where}: input ${unused.map(String).join(', ')} is not used by any output; remove it from inputs or connect it`);

    const layers: Layer[] = [];
    const byName = new Map<string, Layer>();
    for (const n of order) {
      const other = byName.get(n.layer.name);
      if (other && other !== n.layer)
        fail('E_ARG', `${where}: two different layers are named '${n.layer.name}'; layer names must be unique in a model`);
      if (!other) {
        byName.set(n.layer.name, n.layer);
        layers.push(n.layer);
      }
    }

    const tensors: SymbolicTensor[] = [...inputs];
    for (const n of order) tensors.push(...n.outputs);
    const index = new Map(tensors.map((t, i) => [t, i]));
    const uses = new Array<number>(tensors.length).fill(0);
    const nodeIn = order.map((n) => n.inputs.map((t) => index.get(t)!));
    for (const ins of nodeIn) for (const i of ins) uses[i]++;
    this.inputs = inputs;
    this.outputs = outputs;
    this.nodes = order;
    this.layers = layers;
    this.tensors = tensors;
    this.index = index;
    this.nodeIn = nodeIn;
    this.nodeOut = order.map((n) => n.outputs.map((t) => index.get(t)!));
    this.uses = uses;
  }

  /** Index of a tensor in `tensors`. */
  at(t: SymbolicTensor): number {
    return this.index.get(t)!;
  }

  /**
   * Concrete specs of every tensor for inputs of these per-sample shapes
   * (shape inference run again with every size known).
   */
  concrete(inShapes: readonly Shape[]): TensorSpec[] {
    const specs = new Array<TensorSpec>(this.tensors.length);
    this.inputs.forEach((t, i) => (specs[i] = { ...t.spec, shape: inShapes[i] }));
    this.nodes.forEach((n, k) => {
      const outs = n.layer.computeOutputs(
        this.nodeIn[k].map((i) => specs[i]),
        n.call,
      );
      this.nodeOut[k].forEach((i, j) => (specs[i] = outs[j]));
    });
    return specs;
  }
}
