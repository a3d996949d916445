/**
 * Command-line options: `--name value`, `--name=value`, boolean `--flag`,
 * positional arguments, `--` ends the options. Each command declares its
 * options once; the same table prints its --help.
 *
 * Every mistake in the command line is a UsageError (exit 2) that points to
 * --help: an unknown option (with the nearest known one: "did you mean
 * --epochs?"), a missing value or required option, a value of the wrong kind
 * or out of range ("--epochs ten"). A single-dash word such as `-o` is an
 * unknown option too, also where texts are arguments (predict): a text that
 * starts with '-' goes after `--`.
 */
import { UsageError } from './errors.js';

export type OptType = 'string' | 'int' | 'number' | 'flag' | 'list';

export interface OptSpec {
  name: string;
  type: OptType;
  help: string;
  /** placeholder in --help, e.g. FILE */
  arg?: string;
  required?: boolean;
  default?: string | number | boolean;
  /** int/number bounds (inclusive) */
  min?: number;
  max?: number;
  /** allowed string values */
  choices?: readonly string[];
}

export interface Parsed {
  opts: Record<string, string | number | boolean | string[] | undefined>;
  positional: string[];
  help: boolean;
}

/** The usage error of a command: one line, pointing to its --help. */
export function usageError(command: string, msg: string): UsageError {
  return new UsageError(`wasm-rnn ${command}: ${msg} (see wasm-rnn ${command} --help)`);
}

/** Options users reach for that have another name here. */
const OTHER_NAMES: Record<string, string> = {
  level: 'split',
  'char-level': 'split',
  maxlen: 'max-len',
  'learning-rate': 'lr',
  epoch: 'epochs',
};

export function parseArgs(command: string, argv: readonly string[], specs: readonly OptSpec[], positional = false): Parsed {
  const opts: Parsed['opts'] = {};
  const pos: string[] = [];
  let help = false;
  const usage = (msg: string) => usageError(command, msg);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      pos.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (/^-[A-Za-z]/.test(a) && !a.startsWith('--')) {
      throw usage(`unknown option ${a}${positional ? " (a text that starts with '-' goes after --)" : ''}`);
    }
    if (!a.startsWith('--')) {
      if (!positional) throw usage(`unexpected argument ${JSON.stringify(a)}`);
      pos.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const near =
        OTHER_NAMES[name] !== undefined && specs.some((s) => s.name === OTHER_NAMES[name])
          ? OTHER_NAMES[name]
          : nearest(
              name,
              specs.map((s) => s.name),
            );
      throw usage(`unknown option --${name}${near ? `; did you mean --${near}?` : ''}`);
    }
    if (spec.type === 'flag') {
      if (eq > 0) throw usage(`--${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let raw: string;
    if (eq > 0) raw = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2))
        throw usage(`--${name} needs a value${spec.arg ? ` (${spec.arg})` : ''}`);
      raw = argv[++i];
    }
    opts[name] = convert(spec, raw, command);
  }
  if (!help) {
    for (const s of specs) {
      if (opts[s.name] === undefined && s.default !== undefined) opts[s.name] = s.default;
      if (s.required && opts[s.name] === undefined) throw usage(`--${s.name} is required`);
    }
  }
  return { opts, positional: pos, help };
}

function convert(spec: OptSpec, raw: string, command: string): string | number | string[] {
  const bad = (what: string) => usageError(command, `--${spec.name}: expected ${what}, got ${JSON.stringify(raw)}`);
  const bounds =
    spec.min !== undefined && spec.max !== undefined ? ` in [${spec.min}, ${spec.max}]` : spec.min !== undefined ? ` >= ${spec.min}` : '';
  if (spec.type === 'int' || spec.type === 'number') {
    const v = raw.trim() === '' ? NaN : Number(raw);
    const what = `${spec.type === 'int' ? 'an integer' : 'a number'}${bounds}`;
    if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isInteger(v))) throw bad(what);
    if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) throw bad(what);
    return v;
  }
  if (spec.type === 'list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (spec.choices && !spec.choices.includes(raw)) throw bad(`one of ${spec.choices.join(', ')}`);
  return raw;
}

/**
 * The known name nearest to a mistyped one (edit distance, transpositions
 * counting one), or null when none is close: at most 2 edits, and fewer than
 * half the name.
 */
export function nearest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= 2 && bestD < name.length / 2 ? best : null;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** --help text: usage line, description, one line per option. */
export function helpText(usage: string, description: string, specs: readonly OptSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.type === 'flag' ? '' : ` ${s.arg ?? (s.type === 'int' || s.type === 'number' ? 'N' : 'VALUE')}`}`;
    const extra = [
      s.required ? 'required' : '',
      s.default !== undefined && s.type !== 'flag' ? `default ${s.default}` : '',
      s.choices ? s.choices.join(' | ') : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [left, `${s.help}${extra ? ` (${extra})` : ''}`];
  });
  rows.push(['  --help', 'show this help']);
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [`usage: ${usage}`, '', description, '', 'options:', ...rows.map(([l, r]) => l.padEnd(w) + r), ''].join('\n');
}
