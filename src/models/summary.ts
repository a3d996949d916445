/**
 * model.summary(): the Keras table of layers, output shapes and parameter
 * counts, with the inputs and a "Connected to" column when the graph is not
 * a single chain.
 */
import type { Shape } from '../layers/layer.js';
import type { Engine } from './engine.js';

const shapeText = (s: Shape) => `(None, ${s.map((d) => (d < 0 ? 'None' : d)).join(', ')})`;

export function summarize(name: string, e: Engine): string {
  const g = e.graph;
  const chain =
    g.inputs.length === 1 &&
    g.outputs.length === 1 &&
    g.nodes.every((n, k) => n.inputs.length === 1 && (k === 0 ? n.inputs[0] === g.inputs[0] : n.inputs[0] === g.nodes[k - 1].outputs[0]));
  const rows: string[][] = [];
  if (!chain) for (const t of g.inputs) rows.push([`${t.name} (InputLayer)`, shapeText(t.spec.shape), '0', '']);
  for (const n of g.nodes) {
    const params = n.layer.inboundNodes[0] === n ? e.params.byLayer.get(n.layer)!.reduce((a, s) => a + s.w.length, 0) : 0;
    const shape =
      n.outputs.length === 1 ? shapeText(n.outputs[0].spec.shape) : `[${n.outputs.map((o) => shapeText(o.spec.shape)).join(', ')}]`;
    const from = n.inputs.map((t) => t.name).join(', ');
    rows.push([`${n.layer.name} (${n.layer.className})`, shape, String(params), from]);
  }
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const cols = chain ? 3 : 4;
  const w = head.slice(0, cols).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (r: string[]) =>
    r
      .slice(0, cols)
      .map((c, i) => c.padEnd(w[i]))
      .join('')
      .trimEnd();
  const total = w.reduce((a, b) => a + b, 0);
  const trainable = g.layers
    .filter((l) => l.trainable)
    .reduce((a, l) => a + e.params.byLayer.get(l)!.reduce((b, s) => b + s.w.length, 0), 0);
  const lines = [
    `Model: "${name}"`,
    '_'.repeat(total),
    line(head),
    '='.repeat(total),
    ...rows.map(line),
    '='.repeat(total),
    `Total params: ${e.params.size.toLocaleString('en-US')}`,
  ];
  if (trainable !== e.params.size) {
    lines.push(
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(e.params.size - trainable).toLocaleString('en-US')}`,
    );
  }
  lines.push('_'.repeat(total));
  return lines.join('\n');
}
