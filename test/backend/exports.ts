/**
 * The wasm exports as asc declares them: src/backend/generated/exports.ts
 * (written by build/build.mjs from `asc --bindings raw`, before every test
 * run) parsed into name, parameters with their AssemblyScript types, and the
 * return type; and the comparison of one kernel table entry against them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportNames, wasmParams, type KernelSpec, type Param } from '../../src/backend/contract/index.js';

export interface ExportSig {
  name: string;
  params: Array<{ name: string; type: string }>;
  /** the AssemblyScript return type, or 'void' */
  returns: string;
}

const FILE = fileURLToPath(new URL('../../src/backend/generated/exports.ts', import.meta.url));

/** Every exported function of the module, by name. */
export function generatedExports(text = readFileSync(FILE, 'utf8')): Map<string, ExportSig> {
  const out = new Map<string, ExportSig>();
  const re = /\/\*\*([^]*?)\*\/\s*export function (\w+)\(([^)]*)\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const [, doc, name, list] = m;
    const types = new Map([...doc.matchAll(/@param (\w+) `(\w+)`/g)].map((p) => [p[1], p[2]]));
    const params = list
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const pname = p.split(':')[0].trim();
        return { name: pname, type: types.get(pname) ?? '?' };
      });
    out.set(name, { name, params, returns: /@returns `(\w+)`/.exec(doc)?.[1] ?? 'void' });
  }
  return out;
}

/** The AssemblyScript type a table parameter must have. */
function asType(p: Param): string {
  switch (p.kind) {
    case 'buf':
    case 'work':
      return 'usize';
    case 'bool':
    case 'dim':
    case 'i32':
      return 'i32';
    default:
      return p.kind; // f32, u32
  }
}

const RETURNS: Record<KernelSpec['returns'], string> = { void: 'void', f64: 'f64', bool: 'i32' };

/**
 * Every way table entry `s` (kernel `k`) disagrees with the exports: a
 * missing export, a parameter named or typed differently, in another order,
 * missing or extra, or another return type. Empty when they agree.
 */
export function compareWithExports(k: string, s: KernelSpec, exports: Map<string, ExportSig>): string[] {
  const problems: string[] = [];
  const want = wasmParams(s).map(([name, p]) => ({ name, type: asType(p) }));
  for (const [, name] of exportNames(s)) {
    const e = exports.get(name);
    if (!e) {
      problems.push(`${k}: no export ${name}`);
      continue;
    }
    const got = e.params.map((p) => `${p.name}: ${p.type}`).join(', ');
    const table = want.map((p) => `${p.name}: ${p.type}`).join(', ');
    if (got !== table) problems.push(`${k}: ${name}(${got}) but the table says (${table})`);
    if (e.returns !== RETURNS[s.returns]) problems.push(`${k}: ${name} returns ${e.returns}, the table says ${s.returns}`);
  }
  return problems;
}
