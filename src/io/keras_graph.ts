/**
 * Keras functional topologies (class Model / Functional), both ways.
 *
 * In: the layer list with each layer's inbound nodes — Keras 2 / TF.js lists
 * of [layer, node, tensor, kwargs] (a recurrent layer's extra inbound
 * tensors are its initial states), or Keras 3 { args, kwargs } with
 * __keras_tensor__ histories and kwargs.initial_state / mask / training —
 * resolved in dependency order into input() and layer.apply() calls, so the
 * graph is checked exactly as a user's would be.
 *
 * Out: Keras 2 / TF.js JSON: InputLayers, then every layer with its inbound
 * nodes, input_layers and output_layers.
 */
import { describe, fail } from '../errors.js';
import { Bidirectional } from '../layers/bidirectional.js';
import type { Layer } from '../layers/layer.js';
import { Recurrent } from '../layers/recurrent.js';
import { input, type Node, type SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { convertLayer, kerasLayer, shapeOf, toKeras, type KerasLayer } from './keras_layers.js';
import { layerFromJSON } from './registry.js';

interface Ref {
  layer: string;
  node: number;
  tensor: number;
}

interface KerasCall {
  data: Ref[];
  states: Ref[];
  mask: Ref | null;
  training: boolean | null;
}

const nameOf = (kl: KerasLayer) => (kl.config.name as string | undefined) ?? kl.name ?? '';

/** A functional Keras topology as our Model (weights not yet loaded). */
export function modelFromKeras(config: Record<string, unknown>, where: string): Model {
  const list = config.layers;
  if (!Array.isArray(list)) fail('E_FORMAT', `${where}: functional topology has no layer list`);
  const kls = list.map((l) => kerasLayer(l, where));
  const problems: string[] = [];
  const inputs = new Map<string, SymbolicTensor>();
  const layers = new Map<string, Layer>();
  const calls = new Map<string, KerasCall[]>();
  for (const kl of kls) {
    const name = nameOf(kl);
    if (!name) fail('E_FORMAT', `${where}: a ${kl.class_name} layer has no name`);
    if (inputs.has(name) || layers.has(name)) fail('E_FORMAT', `${where}: two layers are named '${name}'`);
    if (kl.class_name === 'InputLayer') {
      const shape = shapeOf(kl.config.batch_input_shape ?? kl.config.batch_shape);
      if (!shape || shape.some((d) => !Number.isInteger(d) || d === 0 || d < -1)) {
        fail(
          'E_FORMAT',
          `${where}: InputLayer '${name}' has no usable batch_input_shape / batch_shape (got ${describe(kl.config.batch_input_shape ?? kl.config.batch_shape)})`,
        );
      }
      const dt = String(kl.config.dtype ?? 'float32');
      inputs.set(name, input({ shape: shape.map((d) => (d < 0 ? null : d)), dtype: dt.startsWith('int') ? 'int32' : 'float32', name }));
      continue;
    }
    const j = convertLayer(kl, problems);
    if (!j) continue;
    const layer = layerFromJSON(j, `${where}: layer '${name}'`);
    if (kl.config.trainable === false) layer.trainable = false;
    layers.set(name, layer);
    calls.set(name, parseInbound(kl.inbound_nodes, layer, `${kl.class_name} '${name}'`, problems));
  }
  if (problems.length) fail('E_FORMAT', `${where}: unsupported model features:\n  - ${problems.join('\n  - ')}`);

  // apply every node once its inbound tensors exist (Keras lists layers, not nodes, in order)
  const made = new Map<string, SymbolicTensor[]>();
  for (const [name, t] of inputs) made.set(`${name}#0`, [t]);
  const get = (r: Ref): SymbolicTensor | undefined => made.get(`${r.layer}#${r.node}`)?.[r.tensor];
  let pending = [...calls].flatMap(([name, cs]) => cs.map((c, k) => ({ name, k, c })));
  while (pending.length) {
    const ready = pending.filter(({ c }) => [...c.data, ...c.states, ...(c.mask ? [c.mask] : [])].every((r) => get(r)));
    if (!ready.length) {
      const { name, c } = pending[0];
      const missing = [...c.data, ...c.states].find((r) => !get(r))!;
      fail(
        'E_FORMAT',
        `${where}: layer '${name}' takes [${missing.layer}, ${missing.node}, ${missing.tensor}], which no layer of the model computes (a missing layer or a cycle)`,
      );
    }
    for (const { name, k, c } of ready) {
      const data = c.data.map((r) => get(r)!);
      const out = layers.get(name)!.apply(data.length === 1 ? data[0] : data, {
        ...(c.states.length ? { initialState: c.states.map((r) => get(r)!) } : {}),
        ...(c.mask ? { mask: data.length === 1 ? get(c.mask)! : data.map((_, i) => (i === 0 ? get(c.mask!)! : null)) } : {}),
        ...(c.training !== null ? { training: c.training } : {}),
      });
      made.set(`${name}#${k}`, Array.isArray(out) ? out : [out]);
    }
    pending = pending.filter((p) => !ready.includes(p));
  }
  const ends = (v: unknown, what: string): SymbolicTensor[] =>
    refList(v, `${where}: ${what}`).map((r) => {
      const t = get(r);
      if (!t) fail('E_FORMAT', `${where}: ${what} names [${r.layer}, ${r.node}, ${r.tensor}], which the model does not compute`);
      return t;
    });
  const outputs = ends(config.output_layers, 'output_layers');
  // as TF.js: one output, one tensor
  return new Model(
    {
      inputs: ends(config.input_layers, 'input_layers'),
      outputs: outputs.length === 1 ? outputs[0] : outputs,
      name: config.name as string | undefined,
    },
    where,
  );
}

/** [name, node, tensor] triples: a list of them, or one (Keras 3 writes a single output that way). */
function refList(v: unknown, where: string): Ref[] {
  if (!Array.isArray(v)) fail('E_FORMAT', `${where} must be a list of [layer, node, tensor]`);
  const triples = typeof v[0] === 'string' ? [v] : v;
  return triples.map((t) => {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || !Number.isInteger(t[1]) || !Number.isInteger(t[2]))
      fail('E_FORMAT', `${where}: ${describe(t)} is not [layer, node, tensor]`);
    return { layer: t[0], node: t[1], tensor: t[2] };
  });
}

/** A layer's calls from its inbound_nodes, Keras 2 / TF.js or Keras 3. */
function parseInbound(nodes: unknown, layer: Layer, where: string, problems: string[]): KerasCall[] {
  if (!Array.isArray(nodes)) fail('E_FORMAT', `${where}: inbound_nodes must be a list`);
  const rnn = layer instanceof Recurrent || layer instanceof Bidirectional;
  return nodes.map((n, k) => {
    if (Array.isArray(n)) {
      // Keras 2: [[name, node, tensor, kwargs], ...]
      const refs = n.map((e) => {
        if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isInteger(e[1]) || !Number.isInteger(e[2]))
          fail('E_FORMAT', `${where}: inbound node ${k} entry ${describe(e)} is not [layer, node, tensor, kwargs]`);
        const kw = e[3];
        if (kw && typeof kw === 'object' && Object.keys(kw).some((key) => key !== 'training'))
          problems.push(`${where}: call arguments ${JSON.stringify(kw)}`);
        return { layer: e[0] as string, node: e[1] as number, tensor: e[2] as number };
      });
      const training = n
        .map((e) => (e as unknown[])[3] as { training?: unknown } | undefined)
        .find((kw) => typeof kw?.training === 'boolean')?.training as boolean | undefined;
      return { data: rnn ? refs.slice(0, 1) : refs, states: rnn ? refs.slice(1) : [], mask: null, training: training ?? null };
    }
    if (!n || typeof n !== 'object') fail('E_FORMAT', `${where}: inbound node ${k} must be a list or { args, kwargs }`);
    // Keras 3: { args: [tensor | [tensors]], kwargs: { initial_state, mask, training, ... } }
    const o = n as { args?: unknown; kwargs?: Record<string, unknown> };
    const kw = o.kwargs ?? {};
    const data = tensorRefs(o.args, `${where}: inbound node ${k}`);
    const states =
      kw.initial_state === undefined || kw.initial_state === null ? [] : tensorRefs(kw.initial_state, `${where}: initial_state`);
    const masks = kw.mask === undefined || kw.mask === null ? [] : tensorRefs(kw.mask, `${where}: mask`);
    for (const key of Object.keys(kw))
      if (!['initial_state', 'mask', 'training'].includes(key)) problems.push(`${where}: call argument '${key}'`);
    if (masks.length > 1) problems.push(`${where}: one mask per input`);
    return { data, states, mask: masks[0] ?? null, training: typeof kw.training === 'boolean' ? kw.training : null };
  });
}

/** Every __keras_tensor__ history in a (nested) Keras 3 argument. */
function tensorRefs(v: unknown, where: string): Ref[] {
  const out: Ref[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const h = ((x as { config?: { keras_history?: unknown } }).config ?? {}).keras_history;
      if (!Array.isArray(h) || typeof h[0] !== 'string' || !Number.isInteger(h[1]) || !Number.isInteger(h[2]))
        fail('E_FORMAT', `${where}: ${describe(x)} is not a Keras tensor`);
      out.push({ layer: h[0], node: h[1], tensor: h[2] });
    }
  };
  walk(v);
  return out;
}

/** Our functional model as a Keras 2 / TF.js topology (class Model). */
export function kerasFromModel(model: Model, problems: string[]): Record<string, unknown> {
  const g = model.topology('toTfjs');
  // each layer's nodes in this model, numbered as Keras numbers them
  const nodeIndex = new Map<Node, number>();
  const count = new Map<Layer, number>();
  for (const n of g.nodes) {
    const k = count.get(n.layer) ?? 0;
    nodeIndex.set(n, k);
    count.set(n.layer, k + 1);
  }
  const ref = (t: SymbolicTensor): [string, number, number, Record<string, never>] =>
    t.node ? [t.node.layer.name, nodeIndex.get(t.node)!, t.index, {}] : [t.name, 0, 0, {}];
  const inputLayers = g.inputs.map((t) => ({
    class_name: 'InputLayer',
    name: t.name,
    inbound_nodes: [],
    config: { batch_input_shape: t.shape, dtype: t.dtype, sparse: false, name: t.name },
  }));
  const layers = g.layers.map((l) => {
    const k = toKeras(l, problems);
    if (!l.trainable) k.config.trainable = false;
    const nodes = g.nodes
      .filter((n) => n.layer === l)
      .map((n) => {
        if (n.call.masks.some(Boolean) || n.call.extra.length || Object.keys(n.call.options).length) {
          problems.push(
            `${l.name}: call arguments (explicit masks, ${[...n.call.extra, ...Object.keys(n.call.options)].join(', ') || 'none'}) — TF.js JSON has no place for them`,
          );
        }
        return n.inputs.slice(0, n.call.nInputs + n.call.nStates).map(ref);
      });
    return { class_name: k.class_name, name: l.name, config: { ...k.config, name: l.name }, inbound_nodes: nodes };
  });
  return {
    class_name: 'Model',
    config: {
      name: model.name,
      layers: [...inputLayers, ...layers],
      input_layers: g.inputs.map((t) => ref(t).slice(0, 3)),
      output_layers: g.outputs.map((t) => ref(t).slice(0, 3)),
    },
  };
}
