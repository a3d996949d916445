/**
 * LabelEncoder: class labels <-> ids 0..C-1, as scikit-learn's LabelEncoder.
 *
 *   const enc = new LabelEncoder().fit(['spam', 'ham', 'spam']);
 *   enc.classes                    // ['ham', 'spam']
 *   enc.transform(['spam', 'ham']) // Int32Array [1, 0]
 *   tensor(enc.transform(labels))  // int32 Tensor (N), for model.fit
 *
 * Classes are the sorted unique labels, as sklearn (np.unique), so the ids do
 * not depend on the order of the training data: strings by Unicode code point
 * (Python's order; JS's default sort compares UTF-16 units and differs above
 * U+FFFF), numbers ascending. Labels are all strings or all numbers, never
 * mixed (1 and '1' would be two classes that print the same).
 */
import { describe, fail } from '../errors.js';
import { jsonKeys, parseJson } from './json.js';

export type Label = string | number;

export const LABEL_FORMAT = 'wasm-rnn.LabelEncoder';
const VERSION = 1;

export interface LabelEncoderJSON {
  format: typeof LABEL_FORMAT;
  version: number;
  classes: Label[];
}

export class LabelEncoder {
  private list: readonly Label[] | null = null;
  private ids = new Map<Label, number>();

  /** Learn the classes from labels (replacing any previous ones). */
  fit(labels: readonly Label[]): this {
    const where = 'LabelEncoder.fit';
    const kind = checkLabels(where, labels);
    if (labels.length === 0) fail('E_ARG', `${where}: labels is empty; there are no classes to learn`);
    const unique = [...new Set(labels)];
    unique.sort(kind === 'number' ? (a, b) => (a as number) - (b as number) : (a, b) => compareCodePoints(a as string, b as string));
    this.install(unique);
    return this;
  }

  /** Labels -> ids; a label not seen by fit() is an error. */
  transform(labels: readonly Label[]): Int32Array {
    const where = 'LabelEncoder.transform';
    const ids = this.ready(where);
    checkLabels(where, labels);
    const out = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const id = ids.get(labels[i]);
      if (id === undefined) {
        fail(
          'E_ARG',
          `${where}: labels[${i}] = ${describe(labels[i])} was not seen by fit (classes: ${this.list!.map((c) => describe(c)).join(', ')})`,
        );
      }
      out[i] = id;
    }
    return out;
  }

  fitTransform(labels: readonly Label[]): Int32Array {
    return this.fit(labels).transform(labels);
  }

  /** Ids (an array, typed array or a Tensor's data) -> labels. */
  inverseTransform(ids: ArrayLike<number>): Label[] {
    const where = 'LabelEncoder.inverseTransform';
    this.ready(where);
    const classes = this.list!;
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      fail('E_ARG', `${where}: ids must be an array of integers, got ${describe(ids)}`);
    }
    const out = new Array<Label>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= classes.length) {
        fail('E_ARG', `${where}: ids[${i}] must be an integer in [0, ${classes.length - 1}], got ${describe(id)}`);
      }
      out[i] = classes[id];
    }
    return out;
  }

  /** The classes in id order (a copy). */
  get classes(): Label[] {
    this.ready('LabelEncoder.classes');
    return [...this.list!];
  }

  get numClasses(): number {
    this.ready('LabelEncoder.numClasses');
    return this.list!.length;
  }

  toJSON(): LabelEncoderJSON {
    this.ready('LabelEncoder.toJSON');
    return { format: LABEL_FORMAT, version: VERSION, classes: [...this.list!] };
  }

  /** Read toJSON() output (the object or its JSON text); bad documents fail with 'E_FORMAT'. */
  static fromJSON(json: unknown): LabelEncoder {
    const where = 'LabelEncoder.fromJSON';
    const doc = parseJson(where, json);
    jsonKeys(where, 'the document', doc, ['format', 'version', 'classes']);
    if (doc.format !== LABEL_FORMAT) fail('E_FORMAT', `${where}: format must be '${LABEL_FORMAT}', got ${describe(doc.format)}`);
    if (doc.version !== VERSION) fail('E_FORMAT', `${where}: version must be ${VERSION}, got ${describe(doc.version)}`);
    const classes = doc.classes;
    if (!Array.isArray(classes) || classes.length === 0) {
      fail('E_FORMAT', `${where}: classes must be a non-empty array of labels, got ${describe(classes)}`);
    }
    try {
      checkLabels(where, classes);
    } catch (e) {
      fail('E_FORMAT', `${where}: classes is invalid: ${(e as Error).message}`);
    }
    if (new Set(classes).size !== classes.length) fail('E_FORMAT', `${where}: classes repeats a label`);
    const enc = newLabelEncoder();
    enc.install(classes as Label[]); // saved order is the id order: kept as is
    return enc;
  }

  private install(classes: Label[]): void {
    const ids = new Map<Label, number>();
    classes.forEach((c, i) => ids.set(c, i));
    this.list = Object.freeze(classes);
    this.ids = ids;
  }

  private ready(where: string): Map<Label, number> {
    if (this.list === null) fail('E_STATE', `${where}: call fit(labels) first`);
    return this.ids;
  }
}

/** All strings or all finite numbers; returns which. */
function checkLabels(where: string, labels: unknown): 'string' | 'number' {
  if (!Array.isArray(labels)) fail('E_ARG', `${where}: labels must be an array of strings or numbers, got ${describe(labels)}`);
  if (labels.length === 0) return 'string';
  const kind = typeof labels[0] === 'number' ? 'number' : 'string';
  for (let i = 0; i < labels.length; i++) {
    const x = labels[i];
    const ok = kind === 'number' ? typeof x === 'number' && Number.isFinite(x) : typeof x === 'string';
    if (!ok) {
      const need = i === 0 ? 'a string or a finite number' : `a ${kind === 'number' ? 'finite number' : 'string'}, as labels[0]`;
      fail('E_ARG', `${where}: labels[${i}] must be ${need}, got ${describe(x)}`);
    }
  }
  return kind;
}

/** Compare by Unicode code point, as Python and NumPy sort strings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // both were the same surrogate pair
  }
  return a.length - b.length;
}

// Outside the class body on purpose: a class that names itself inside its body
// is bundled as `class _X` and would report constructor.name '_X'.
function newLabelEncoder(): LabelEncoder {
  return new LabelEncoder();
}
