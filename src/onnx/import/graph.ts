/**
 * The ONNX graph's structure, checked before any node is interpreted: one
 * producer per tensor, every input produced (or an initializer / graph
 * input), and a topological order. A cycle is reported with the nodes on it.
 */
import { formatError } from '../core.js';
import type { GraphProto, NodeProto } from '../proto/onnx_pb.js';

export function describeNode(n: NodeProto, index: number): string {
  return `${n.opType || '(no op type)'} '${n.name || `#${index}`}'`;
}

/** Nodes in an order where every producer comes before its consumers. */
export function topologicalOrder(where: string, graph: GraphProto, available: Set<string>): NodeProto[] {
  const nodes = graph.node;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output) {
      if (!o) continue;
      if (producer.has(o) || available.has(o))
        formatError(`${where}: tensor '${o}' is produced twice (by ${describeNode(n, i)} and another)`);
      producer.set(o, i);
    }
  });
  const pending = new Array<number>(nodes.length).fill(0);
  const users = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const x of n.input) {
      if (!x || available.has(x)) continue;
      const p = producer.get(x);
      if (p === undefined) formatError(`${where}: ${describeNode(n, i)} reads '${x}', which no node, initializer or graph input provides`);
      pending[i]++;
      if (!users.has(p)) users.set(p, []);
      users.get(p)!.push(i);
    }
  });
  const ready: number[] = [];
  pending.forEach((k, i) => {
    if (k === 0) ready.push(i);
  });
  const order: NodeProto[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k];
    order.push(nodes[i]);
    for (const u of users.get(i) ?? []) if (--pending[u] === 0) ready.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.map((n, i) => (pending[i] > 0 ? describeNode(n, i) : null)).filter((x): x is string => x !== null);
    formatError(
      `${where}: the graph has a cycle through ${stuck.slice(0, 8).join(', ')}${stuck.length > 8 ? ` and ${stuck.length - 8} more` : ''}`,
    );
  }
  return order;
}

/** How many times each tensor is read (graph outputs count once each). */
export function consumerCounts(graph: GraphProto): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (x: string) => counts.set(x, (counts.get(x) ?? 0) + 1);
  for (const n of graph.node) for (const x of n.input) if (x) bump(x);
  for (const o of graph.output) bump(o.name);
  return counts;
}
