/**
 * Command-line options: `--name value`, `--name=value`, boolean `--flag`,
 * positional arguments, `--` ends the options. Each command declares its
 * options once; the same table prints its --help.
 *
 * An unknown option, a missing value or a missing required option is a
 * UsageError (exit 2). A value of the wrong kind ("--epochs ten") is a
 * UserError (exit 1) naming the option.
 */
import { UsageError, UserError } from './errors.js';

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

export function parseArgs(command: string, argv: readonly string[], specs: readonly OptSpec[], positional = false): Parsed {
  const opts: Parsed['opts'] = {};
  const pos: string[] = [];
  let help = false;
  const usage = (msg: string) => new UsageError(`wasm-rnn ${command}: ${msg} (see wasm-rnn ${command} --help)`);
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
    if (!a.startsWith('--') || a === '--') {
      if (!positional) throw usage(`unexpected argument ${JSON.stringify(a)}`);
      pos.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw usage(`unknown option --${name}`);
    if (spec.type === 'flag') {
      if (eq > 0) throw usage(`--${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let raw: string;
    if (eq > 0) raw = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) throw usage(`--${name} needs a value${spec.arg ? ` (${spec.arg})` : ''}`);
      raw = argv[++i];
    }
    opts[name] = convert(spec, raw);
  }
  if (!help) {
    for (const s of specs) {
      if (opts[s.name] === undefined && s.default !== undefined) opts[s.name] = s.default;
      if (s.required && opts[s.name] === undefined) throw usage(`--${s.name} is required`);
    }
  }
  return { opts, positional: pos, help };
}

function convert(spec: OptSpec, raw: string): string | number | string[] {
  const bad = (what: string) => new UserError(`--${spec.name}: expected ${what}, got ${JSON.stringify(raw)}`);
  const bounds = spec.min !== undefined && spec.max !== undefined ? ` in [${spec.min}, ${spec.max}]` : spec.min !== undefined ? ` >= ${spec.min}` : '';
  if (spec.type === 'int' || spec.type === 'number') {
    const v = raw.trim() === '' ? NaN : Number(raw);
    const what = `${spec.type === 'int' ? 'an integer' : 'a number'}${bounds}`;
    if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isInteger(v))) throw bad(what);
    if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) throw bad(what);
    return v;
  }
  if (spec.type === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (spec.choices && !spec.choices.includes(raw)) throw bad(`one of ${spec.choices.join(', ')}`);
  return raw;
}

/** --help text: usage line, description, one line per option. */
export function helpText(usage: string, description: string, specs: readonly OptSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.type === 'flag' ? '' : ` ${s.arg ?? (s.type === 'int' || s.type === 'number' ? 'N' : 'VALUE')}`}`;
    const extra = [s.required ? 'required' : '', s.default !== undefined && s.type !== 'flag' ? `default ${s.default}` : '', s.choices ? s.choices.join(' | ') : '']
      .filter(Boolean).join('; ');
    return [left, `${s.help}${extra ? ` (${extra})` : ''}`];
  });
  rows.push(['  --help', 'show this help']);
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [`usage: ${usage}`, '', description, '', 'options:', ...rows.map(([l, r]) => l.padEnd(w) + r), ''].join('\n');
}
