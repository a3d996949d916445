/**
 * ONNX bytes -> layer-graph IR.
 *
 * The graph is checked (opset, IR version, initializers, structure), then
 * walked once in topological order: each node's handler turns its inputs'
 * values into its outputs' values (values.ts), creating our layers as it
 * meets them. A node we cannot express is recorded and the walk goes on,
 * so one E_FORMAT error lists every unsupported node (op type and name)
 * and what each is missing.
 */
import { formatError, WasmRnnError } from '../core.js';
import type { IrDType, IrGraph } from '../ir.js';
import { Attributes } from '../attributes.js';
import { decodeModel } from '../decode.js';
import { TensorProto_DataType as DT, type GraphProto, type ModelProto, type NodeProto } from '../proto/onnx_pb.js';
import { readTensor } from '../tensor_proto.js';
import { newAtom, Roles, type Role } from './atoms.js';
import type { Ctx } from './context.js';
import { finalize } from './finalize.js';
import { resetFoldBudget } from './fold.js';
import { consumerCounts, describeNode, topologicalOrder } from './graph.js';
import { CONV_OPS } from './ops_conv.js';
import { LAYER_OPS } from './ops_layers.js';
import { INDEX_OPS } from './ops_index.js';
import { LAYOUT_OPS } from './ops_layout.js';
import { MASK_OPS } from './ops_mask.js';
import { MERGE_OPS } from './ops_merge.js';
import { RECURRENT_OPS } from './ops_recurrent.js';
import { fullView, port, type Draft, type Value } from './values.js';

/** Default-domain opsets whose semantics for the ops we read we have checked. */
export const OPSETS = { min: 7, max: 27 } as const;
/** IR versions whose ModelProto we read (ONNX 1.22 writes 13). */
export const IR_VERSIONS = { min: 3, max: 13 } as const;

const HANDLERS = { ...LAYOUT_OPS, ...INDEX_OPS, ...RECURRENT_OPS, ...LAYER_OPS, ...MERGE_OPS, ...MASK_OPS, ...CONV_OPS };

export function onnxToIr(where: string, bytes: Uint8Array): IrGraph {
  const model = decodeModel(where, bytes);
  const opset = checkVersions(where, model);
  return new Importer(where, model.graph!, opset).run();
}

function checkVersions(where: string, model: ModelProto): number {
  const ir = Number(model.irVersion);
  if (ir < IR_VERSIONS.min || ir > IR_VERSIONS.max) {
    formatError(
      `${where}: ONNX IR version ${model.irVersion} is ${ir > IR_VERSIONS.max ? 'newer than' : 'outside'} what we read (${IR_VERSIONS.min} to ${IR_VERSIONS.max})`,
    );
  }
  const own = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (own.length !== 1) formatError(`${where}: the model imports the default ONNX opset ${own.length ? 'more than once' : 'not at all'}`);
  const v = Number(own[0].version);
  if (!(v >= OPSETS.min && v <= OPSETS.max)) {
    formatError(
      `${where}: ONNX opset ${own[0].version} is one we do not know (we read opsets ${OPSETS.min} to ${OPSETS.max}); convert the model (onnx.version_converter) to one of them`,
    );
  }
  return v;
}

class Importer {
  private readonly values = new Map<string, Value>();
  private readonly roles = new Roles();
  private readonly drafts: Draft[] = [];
  private readonly problems: string[] = [];
  private readonly consumers: Map<string, number>;

  constructor(
    private readonly where: string,
    private readonly graph: GraphProto,
    private readonly opset: number,
  ) {
    this.consumers = consumerCounts(graph);
  }

  run(): IrGraph {
    resetFoldBudget();
    const g = this.graph;
    if (g.sparseInitializer.length) formatError(`${this.where}: sparse initializers are not supported`);
    for (const t of g.initializer) {
      if (this.values.has(t.name)) formatError(`${this.where}: initializer '${t.name}' is given twice`);
      this.values.set(t.name, { kind: 'const', t: readTensor(`${this.where}: initializer '${t.name}'`, t) });
    }
    for (const vi of g.input) if (!this.values.has(vi.name)) this.addInput(vi);
    const order = topologicalOrder(this.where, g, new Set(this.values.keys()));
    order.forEach((n) => this.interpret(n, g.node.indexOf(n)));
    this.checkWindowedMasks();
    const ir = finalize(
      g.name || 'onnx_model',
      this.drafts,
      g.output.map((o) => ({ name: o.name, value: this.values.get(o.name) })),
      this.roles,
      this.problems,
    );
    if (this.problems.length) {
      formatError(`${this.where}: the model uses what we cannot import:\n  - ${[...new Set(this.problems)].join('\n  - ')}`);
    }
    if (!ir.outputs.length) formatError(`${this.where}: the graph has no output computed from its inputs`);
    return ir;
  }

  /**
   * sequence_lens made an embedding maskZero: a Conv1D or pooling layer
   * after it would then skip (or zero) the padded steps, which ONNX's Conv
   * and pooling read as data. Refused rather than imported differently.
   */
  private checkWindowedMasks(): void {
    const windowed = /^(Conv1D|MaxPooling1D|AveragePooling1D|GlobalMaxPooling1D|GlobalAveragePooling1D)$/;
    for (const d of this.drafts) {
      if (!windowed.test(d.className)) continue;
      const seen = new Set<Draft>();
      const masked = (x: Draft): boolean => {
        if (seen.has(x)) return false;
        seen.add(x);
        if (x.className === 'Embedding' && x.config.maskZero) return true;
        return x.inputs.some((p) => masked(p.owner));
      };
      if (d.inputs.some((p) => masked(p.owner))) {
        this.problems.push(
          `${d.origin}: reads an embedding that sequence_lens makes masked; our ${d.className} would skip the padded steps, ONNX's reads them`,
        );
      }
    }
  }

  private addInput(vi: GraphProto['input'][number]): void {
    const where = `${this.where}: input '${vi.name}'`;
    const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : null;
    if (!tt) {
      this.problems.push(`${where}: is not a tensor`);
      this.values.set(vi.name, { kind: 'poison' });
      return;
    }
    const dtype: IrDType | null =
      tt.elemType === DT.INT64 || tt.elemType === DT.INT32 ? 'int32' : tt.elemType === DT.FLOAT ? 'float32' : null;
    const dims = tt.shape?.dim ?? null;
    const rank = dims?.length ?? -1;
    const ok = dtype === 'int32' ? rank === 2 : rank === 2 || rank === 3;
    if (!dtype || !ok) {
      this.problems.push(
        `${where}: ${dtype ? `has rank ${rank < 0 ? 'unknown' : rank}` : `has element type ${DT[tt.elemType] ?? tt.elemType}`}; ` +
          'inputs must be int token ids (batch, time) or float features (batch, [time,] features)',
      );
      this.values.set(vi.name, { kind: 'poison' });
      return;
    }
    const atoms = dims!.map((d, k) => {
      const v = d.value.case === 'dimValue' ? Number(d.value.value) : null;
      if (v !== null && !(v >= 1 && v < 2 ** 31)) formatError(`${where}: dimension ${k} is ${d.value.value}`);
      return newAtom(`${vi.name}:${k}`, v);
    });
    const guess: (Role | null)[] = rank === 3 || dtype === 'int32' ? ['batch', 'time', null] : ['batch', null];
    this.roles.guess(atoms, guess);
    const d: Draft = {
      id: `input:${vi.name}`,
      kind: 'input',
      origin: `input '${vi.name}'`,
      className: 'Input',
      config: {},
      weights: [],
      inputs: [],
      initialState: [],
      used: new Set(),
      ports: new Map(),
      dtype,
      name: vi.name,
      atoms,
    };
    this.drafts.push(d);
    this.values.set(
      vi.name,
      fullView(
        port(d, 'out', atoms),
        atoms.map((a) => [a]),
      ),
    );
  }

  private interpret(node: NodeProto, index: number): void {
    const where = describeNode(node, index);
    const outputs = (vals: Value[]) => node.output.forEach((o, i) => o && this.values.set(o, vals[i] ?? { kind: 'poison' }));
    const inputs = node.input.map((x) => (x ? this.values.get(x)! : null));
    const own = node.domain === '' || node.domain === 'ai.onnx';
    const handler = own ? HANDLERS[node.opType] : undefined;
    // an op we do not have is reported wherever it is; a node fed by a reported one is not
    if (!handler) {
      this.problems.push(`${where}: op type ${own ? '' : `${node.domain}.`}${node.opType} is not supported`);
      return outputs([]);
    }
    if (inputs.some((v) => v?.kind === 'poison')) return outputs([]);
    try {
      const attrs = new Attributes(node, where);
      const ctx: Ctx = {
        where,
        node,
        attrs,
        opset: this.opset,
        roles: this.roles,
        input: (i) => inputs[i] ?? null,
        consumers: (t) => this.consumers.get(t) ?? 0,
        addDraft: (d) => {
          const draft: Draft = {
            inputs: [],
            initialState: [],
            ...d,
            id: `layer:${this.drafts.length}`,
            kind: 'layer',
            used: new Set(),
            ports: new Map(),
          };
          this.drafts.push(draft);
          return draft;
        },
      };
      const vals = handler(ctx);
      for (const a of attrs.unread()) this.problems.push(`${where}: attribute '${a}' is not supported`);
      outputs(vals);
    } catch (e) {
      if (!(e instanceof WasmRnnError)) throw e;
      this.problems.push(e.message);
      outputs([]);
    }
  }
}
