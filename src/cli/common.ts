/** What the commands share: the I/O they write to, labelled data, splits. */
import { Rng } from '../rng.js';
import { at } from './errors.js';
import { readBytes } from './io.js';
import { type Table, column, parseTable } from './tabular.js';

/** Where a command writes: injected, so tests run main() in-process. */
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** redraw the progress bar in place (a terminal) */
  isTTY?: boolean;
}

export interface Labelled {
  file: string;
  texts: string[];
  /** label text per record */
  labels: string[];
  /** the line each record starts on */
  lines: number[];
}

/** Read a data file and its text and label columns (labels optional for predict). */
export function readLabelled(file: string, textColumn: string, labelColumn: string | null): Labelled {
  return labelled(parseTable(file, readBytes(file, 'data file')), textColumn, labelColumn);
}

/** The text and label columns of a parsed table. */
export function labelled(table: Table, textColumn: string, labelColumn: string | null): Labelled {
  const texts = column(table, textColumn, 'text');
  const labels = labelColumn === null ? [] : column(table, labelColumn, 'label').map((l) => l.trim());
  return { file: table.file, texts, labels, lines: table.lines };
}

/** The distinct labels, sorted (numerically where they are numbers); at least 2. */
export function classesOf(d: Labelled, labelColumn: string): string[] {
  const classes = [...new Set(d.labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (classes.length < 2) {
    throw at(
      d.file,
      null,
      `the label column ${JSON.stringify(labelColumn)} has one class only (${JSON.stringify(classes[0])}); a classifier needs at least 2`,
    );
  }
  return classes;
}

/** Stratified, seeded: round(frac · n_c) records of each class held out (none of a class with one record). */
export function splitIndices(labels: readonly number[], frac: number, seed: number): { train: number[]; val: number[] } {
  const rng = new Rng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((c, i) => byClass.set(c, [...(byClass.get(c) ?? []), i]));
  const train: number[] = [];
  const val: number[] = [];
  for (const ids of byClass.values()) {
    rng.shuffle(ids);
    const n = ids.length > 1 ? Math.round(ids.length * frac) : 0;
    val.push(...ids.slice(0, n));
    train.push(...ids.slice(n));
  }
  // mixed classes in each batch
  rng.shuffle(train);
  val.sort((a, b) => a - b);
  return { train, val };
}

export const fmt = (n: number) => n.toLocaleString('en-US');
