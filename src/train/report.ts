/**
 * Evaluation reports for classifiers: accuracy, per-class precision, recall,
 * F1 and support, macro averages, and the confusion matrix (rows = true
 * class, columns = predicted), plus a plain-text rendering.
 */
import { fail } from '../errors.js';

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  classes: ClassReport[];
  macro: { precision: number; recall: number; f1: number };
  /** confusion[true][predicted] */
  confusion: number[][];
  samples: number;
}

/** Compare integer class ids. `labels` names the classes (default '0', '1', ...). */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels?: readonly string[]): ClassificationReport {
  if (yTrue.length !== yPred.length) fail('E_SHAPE', `classificationReport: ${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) fail('E_ARG', 'classificationReport: no samples');
  let k = labels?.length ?? 0;
  for (let i = 0; i < yTrue.length; i++) {
    for (const v of [yTrue[i], yPred[i]]) {
      if (!Number.isInteger(v) || v < 0) fail('E_ARG', `classificationReport: class ids must be integers >= 0, got ${v} at ${i}`);
      if (labels && v >= labels.length) fail('E_ARG', `classificationReport: class id ${v} at ${i} has no label (${labels.length} labels)`);
      k = Math.max(k, v + 1);
    }
  }
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    confusion[yTrue[i]][yPred[i]]++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  const classes: ClassReport[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j][c];
      support += confusion[c][j];
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    classes.push({ label: labels?.[c] ?? String(c), precision, recall, f1, support });
  }
  const mean = (f: (c: ClassReport) => number) => classes.reduce((a, c) => a + f(c), 0) / k;
  return {
    accuracy: correct / yTrue.length,
    classes,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    confusion,
    samples: yTrue.length,
  };
}

/** sklearn-style text table plus the confusion matrix. */
export function formatReport(r: ClassificationReport): string {
  const w = Math.max(12, ...r.classes.map((c) => c.label.length + 2));
  const num = (v: number) => v.toFixed(4).padStart(10);
  const lines = [
    `${''.padEnd(w)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1'.padStart(10)}${'support'.padStart(10)}`,
    ...r.classes.map((c) => `${c.label.padEnd(w)}${num(c.precision)}${num(c.recall)}${num(c.f1)}${String(c.support).padStart(10)}`),
    '',
    `${'accuracy'.padEnd(w)}${''.padStart(20)}${num(r.accuracy)}${String(r.samples).padStart(10)}`,
    `${'macro avg'.padEnd(w)}${num(r.macro.precision)}${num(r.macro.recall)}${num(r.macro.f1)}${String(r.samples).padStart(10)}`,
    '',
    'confusion matrix (rows: true, columns: predicted)',
  ];
  const cw = Math.max(8, ...r.classes.map((c) => c.label.length + 2), ...r.confusion.flat().map((v) => String(v).length + 2));
  lines.push(`${''.padEnd(w)}${r.classes.map((c) => c.label.padStart(cw)).join('')}`);
  r.confusion.forEach((row, i) => lines.push(`${r.classes[i].label.padEnd(w)}${row.map((v) => String(v).padStart(cw)).join('')}`));
  return lines.join('\n');
}
