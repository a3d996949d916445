/**
 * Typed access to one node's attributes. Every read is type-checked; the
 * names a handler never read are reported back (`unread`) so that an
 * attribute we do not implement is listed as a problem, never ignored.
 */
import { formatError } from './core.js';
import { AttributeProto_AttributeType as AT, type AttributeProto, type NodeProto } from './proto/onnx_pb.js';
import { readTensor, type ConstTensor } from './tensor_proto.js';

const decoder = new TextDecoder();

export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();
  private readonly read = new Set<string>();

  constructor(
    node: NodeProto,
    private readonly where: string,
  ) {
    for (const a of node.attribute) {
      if (this.byName.has(a.name)) formatError(`${where}: attribute '${a.name}' is given twice`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Mark an attribute as handled without reading it (it cannot change the result). */
  accept(name: string): void {
    this.read.add(name);
  }

  /** Names present but never read. */
  unread(): string[] {
    return [...this.byName.keys()].filter((k) => !this.read.has(k));
  }

  private get(name: string, type: AT): AttributeProto | undefined {
    this.read.add(name);
    const a = this.byName.get(name);
    if (a && a.type !== type && a.type !== AT.UNDEFINED) {
      formatError(`${this.where}: attribute '${name}' has type ${AT[a.type] ?? a.type}, expected ${AT[type]}`);
    }
    return a;
  }

  int(name: string, dflt: number): number {
    const a = this.get(name, AT.INT);
    if (!a) return dflt;
    const v = Number(a.i);
    if (!Number.isSafeInteger(v)) formatError(`${this.where}: attribute '${name}' = ${a.i} is out of range`);
    return v;
  }

  float(name: string, dflt: number): number {
    const a = this.get(name, AT.FLOAT);
    return a ? a.f : dflt;
  }

  string(name: string, dflt: string): string {
    const a = this.get(name, AT.STRING);
    return a ? decoder.decode(a.s) : dflt;
  }

  ints(name: string): number[] | null {
    const a = this.get(name, AT.INTS);
    return a ? a.ints.map((v) => Number(v)) : null;
  }

  floats(name: string): number[] | null {
    const a = this.get(name, AT.FLOATS);
    return a ? [...a.floats] : null;
  }

  strings(name: string): string[] | null {
    const a = this.get(name, AT.STRINGS);
    return a ? a.strings.map((s) => decoder.decode(s)) : null;
  }

  tensor(name: string): ConstTensor | null {
    const a = this.get(name, AT.TENSOR);
    if (!a) return null;
    if (!a.t) formatError(`${this.where}: attribute '${name}' has no tensor`);
    return readTensor(`${this.where}, attribute '${name}'`, a.t);
  }
}
