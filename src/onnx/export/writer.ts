/**
 * Builds an ONNX graph: nodes, initializers (little-endian raw_data) and
 * small int64 constants, with unique names. The emitters say what to
 * compute; this file knows the protobuf messages.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  NodeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../proto/onnx_pb.js';
import { floatTensor, int64Tensor, int32Tensor } from '../tensor_proto.js';

export type AttrValue = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { strings: string[] };

const encoder = new TextEncoder();

function attribute(name: string, v: AttrValue): AttributeProto {
  if ('i' in v) return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v.i) });
  if ('f' in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.f });
  if ('s' in v) return create(AttributeProtoSchema, { name, type: AT.STRING, s: encoder.encode(v.s) });
  if ('ints' in v) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.ints.map(BigInt) });
  if ('floats' in v) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: v.floats });
  return create(AttributeProtoSchema, { name, type: AT.STRINGS, strings: v.strings.map((s) => encoder.encode(s)) });
}

/** A tensor's type and shape for graph inputs and outputs; strings are symbolic dimensions. */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) =>
    create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'string' ? { case: 'dimParam', value: d } : { case: 'dimValue', value: BigInt(d) },
    }),
  );
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

export class GraphWriter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  constructor(readonly opset: number) {}

  /** A name not used yet, from `base`. */
  fresh(base: string): string {
    let n = base;
    for (let k = 1; this.names.has(n); k++) n = `${base}_${k}`;
    this.names.add(n);
    return n;
  }

  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  /** Add a node; returns its output names (fresh ones from `outputs`, '' kept for absent outputs). */
  node(op: string, name: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): string[] {
    while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
    while (outputs.length && outputs[outputs.length - 1] === '') outputs = outputs.slice(0, -1);
    const outs = outputs.map((o) => (o ? this.fresh(o) : ''));
    this.nodes.push(
      create(NodeProtoSchema, {
        opType: op,
        name: this.fresh(name),
        input: inputs,
        output: outs,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** One-output node. */
  op(op: string, name: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, name, inputs, [name], attrs)[0];
  }

  /** An Identity from `from` to the exact name `to` (a graph output). */
  rename(from: string, to: string): void {
    this.nodes.push(create(NodeProtoSchema, { opType: 'Identity', name: this.fresh(`${to}/Identity`), input: [from], output: [to] }));
  }

  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    const n = this.fresh(name);
    this.initializers.push(floatTensor(n, dims, data));
    return n;
  }

  /** A 1-D int64 constant, shared by every node that needs the same values. */
  int64s(values: (number | bigint)[]): string {
    const key = `i64:${values.join(',')}`;
    let n = this.constants.get(key);
    if (!n) {
      n = this.fresh(`const_i64_${values.join('_').replace(/-/g, 'm')}`.slice(0, 60));
      this.initializers.push(int64Tensor(n, [values.length], values));
      this.constants.set(key, n);
    }
    return n;
  }

  /** A scalar int32 or int64 constant. */
  intScalar(value: number, int64: boolean): string {
    const key = `${int64 ? 'i64' : 'i32'}s:${value}`;
    let n = this.constants.get(key);
    if (!n) {
      n = this.fresh(`const_${int64 ? 'i64' : 'i32'}_scalar_${value}`);
      this.initializers.push(int64 ? int64Tensor(n, [], [value]) : int32Tensor(n, [], [value]));
      this.constants.set(key, n);
    }
    return n;
  }
}
