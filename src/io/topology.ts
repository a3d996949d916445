/**
 * A model's topology as artifact JSON, and back. A Sequential is its input
 * shape and layer list; a functional model is its layers, its inputs, its
 * nodes in topological order (which layer, called on which tensors, with how
 * many initial states and whether a mask) and its outputs. A tensor is named
 * by [node, output] (node -1: a model input). Decoding checks every field
 * and rebuilds through the public API (input(), layer.apply(), model()), so
 * the same checks run as when a user builds the graph.
 */
import { describe, fail } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { input, type SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import { layerFromJSON } from './registry.js';

type Ref = [number, number];

export function decodeTopology(m: Record<string, unknown>, version: number, where: string): Model {
  const seed = m.seed as number;
  const name = m.name as string | undefined;
  const cls = version === 1 ? 'Sequential' : m.className;
  if (cls !== 'Sequential' && cls !== 'Model')
    fail('E_FORMAT', `${where}: model.className must be 'Sequential' or 'Model', got ${describe(cls)}`);
  const layerList = arr(m.layers, 'model.layers', where);
  if (layerList.length === 0) fail('E_FORMAT', `${where}: model.layers is empty`);
  const layers = layerList.map((l, i) => {
    const layer = layerFromJSON(l, `${where}: model.layers[${i}]`);
    const t = (l as { trainable?: unknown }).trainable;
    if (t !== undefined && typeof t !== 'boolean') fail('E_FORMAT', `${where}: model.layers[${i}].trainable must be true or false`);
    if (t === false) layer.trainable = false;
    return layer;
  });
  if (cls === 'Sequential') {
    const inputShape = arr(m.inputShape, 'model.inputShape', where);
    if (inputShape.length < 1 || inputShape.length > 2 || inputShape.some((d) => !Number.isInteger(d) || (d as number) < -1 || d === 0)) {
      fail('E_FORMAT', `${where}: model.inputShape must be 1 or 2 integers (-1 = any length), got ${describe(inputShape)}`);
    }
    const model = new Sequential({ name, seed, layers });
    try {
      model.build(inputShape as number[], { initialize: false });
    } catch (e) {
      model.dispose();
      fail('E_FORMAT', `${where}: the saved topology does not build: ${(e as Error).message}`);
    }
    return model;
  }

  const inputs = arr(m.inputs, 'model.inputs', where).map((v, i) => {
    const o = obj(v, `model.inputs[${i}]`, where);
    const shape = arr(o.shape, `model.inputs[${i}].shape`, where);
    if (shape.length < 1 || shape.some((d) => !Number.isInteger(d) || (d as number) < -1 || d === 0 || (d as number) > 2 ** 24)) {
      fail('E_FORMAT', `${where}: model.inputs[${i}].shape must hold positive integers or -1, got ${describe(shape)}`);
    }
    if (o.dtype !== 'float32' && o.dtype !== 'int32') fail('E_FORMAT', `${where}: model.inputs[${i}].dtype must be 'float32' or 'int32'`);
    if (typeof o.name !== 'string' || !o.name) fail('E_FORMAT', `${where}: model.inputs[${i}].name must be a string`);
    return input({ shape: (shape as number[]).map((d) => (d < 0 ? null : d)), dtype: o.dtype, name: o.name });
  });
  const made: SymbolicTensor[][] = [];
  const tensor = (r: unknown, what: string): SymbolicTensor => {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1]))
      fail('E_FORMAT', `${where}: ${what} must be [node, output], got ${describe(r)}`);
    const [k, j] = r as Ref;
    const t = k === -1 ? inputs[j] : k >= 0 && k < made.length ? made[k][j] : undefined;
    if (!t) fail('E_FORMAT', `${where}: ${what} refers to [${k}, ${j}], which is not a model input or an earlier node's output`);
    return t;
  };
  arr(m.nodes, 'model.nodes', where).forEach((v, k) => {
    const n = obj(v, `model.nodes[${k}]`, where);
    const layer = Number.isInteger(n.layer) ? layers[n.layer as number] : undefined;
    if (!layer) fail('E_FORMAT', `${where}: model.nodes[${k}].layer is not a layer index`);
    const ins = arr(n.inputs, `model.nodes[${k}].inputs`, where).map((r, i) => tensor(r, `model.nodes[${k}].inputs[${i}]`));
    const nStates = n.nStates ?? 0;
    if (!Number.isInteger(nStates) || (nStates as number) < 0)
      fail('E_FORMAT', `${where}: model.nodes[${k}].nStates must be a non-negative integer`);
    const masks = n.masks ?? [];
    const extra = n.extra ?? [];
    const options = n.options ?? {};
    if (!Array.isArray(masks) || masks.some((b) => typeof b !== 'boolean'))
      fail('E_FORMAT', `${where}: model.nodes[${k}].masks must be a list of true/false`);
    if (!Array.isArray(extra) || extra.some((e) => typeof e !== 'string'))
      fail('E_FORMAT', `${where}: model.nodes[${k}].extra must be a list of option names`);
    if (!options || typeof options !== 'object' || Array.isArray(options))
      fail('E_FORMAT', `${where}: model.nodes[${k}].options must be an object`);
    if (n.training !== undefined && n.training !== null && typeof n.training !== 'boolean')
      fail('E_FORMAT', `${where}: model.nodes[${k}].training must be true, false or null`);
    const nMasks = masks.filter(Boolean).length;
    const nData = ins.length - (nStates as number) - nMasks - extra.length;
    if (nData < 1 || (masks.length > 0 && masks.length !== nData)) {
      fail(
        'E_FORMAT',
        `${where}: model.nodes[${k}] has ${ins.length} inputs, which do not fit ${nStates} states, ${nMasks} masks and ${extra.length} tensor options`,
      );
    }
    const data = ins.slice(0, nData);
    let at = nData + (nStates as number);
    const maskList = masks.map((b) => (b ? ins[at++] : null));
    const tensorOpts = Object.fromEntries((extra as string[]).map((e) => [e, ins[at++]]));
    const out = layer.apply(data.length === 1 ? data[0] : data, {
      ...(options as Record<string, unknown>),
      ...tensorOpts,
      ...(nStates ? { initialState: ins.slice(nData, nData + (nStates as number)) } : {}),
      ...(nMasks ? { mask: data.length === 1 ? maskList[0]! : maskList } : {}),
      ...(typeof n.training === 'boolean' ? { training: n.training } : {}),
    });
    made.push(Array.isArray(out) ? out : [out]);
  });
  const outputs = arr(m.outputs, 'model.outputs', where).map((r, i) => tensor(r, `model.outputs[${i}]`));
  if (m.outputList !== undefined && typeof m.outputList !== 'boolean') fail('E_FORMAT', `${where}: model.outputList must be true or false`);
  // predict returns what the saved model returned: one tensor, or an array
  return new Model({ inputs, outputs: outputs.length === 1 && !m.outputList ? outputs[0] : outputs, name, seed }, where);
}

function obj(v: unknown, field: string, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('E_FORMAT', `${where}: field '${field}' must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, field: string, where: string): unknown[] {
  if (!Array.isArray(v)) fail('E_FORMAT', `${where}: field '${field}' must be an array, got ${describe(v)}`);
  return v;
}
