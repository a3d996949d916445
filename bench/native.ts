/**
 * The contenders users would pick instead of us (issue 14): ONNX Runtime Web
 * (npm onnxruntime-web: wasm SIMD, one thread, in this Node) on W5 with our
 * W1 model exported by toOnnx, and native PyTorch (bench/torch_contender.py
 * in a child process, one thread) on W1, W4 and W5 with our weights copied
 * in. Both sit behind the Contender interface, so they pass the same gates
 * as everyone else before they are timed. PyTorch is optional: without a
 * Python that imports torch it is skipped with a note (CI has none).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-web';
import type { Backend } from '../src/backend/backend.js';
import { optimizers } from '../src/index.js';
import { GATE_SGD_LR, ORT_NAME, TORCH_NAME, type Contender } from './contenders.js';
import type { TimeOptions, Timing } from './harness.js';
import { oursToOnnx, type Tensor } from './ours.js';
import { SEED, type HostBatch } from './workloads.js';

// ------------------------------------------------------------ ONNX Runtime

export function ortInfo(): string {
  const versions = (ort.env as { versions?: Record<string, string> }).versions ?? {};
  return `ONNX Runtime Web ${versions.web ?? versions.common ?? '?'}: wasm execution provider (SIMD build), 1 thread, graph optimisation 'all', our W1 model exported with toOnnx (int64 ids)`;
}

/** ONNX Runtime Web on W5: our model (built on `be`, weights copied in) as ONNX. */
export function ortContender(be: Backend): Contender {
  ort.env.wasm.numThreads = 1;
  return {
    name: ORT_NAME,
    ours: false,
    slow: false,
    workloads: ['W5'],
    async build(w, weights) {
      if (!weights) throw new Error('onnxruntime-web contender needs weights');
      const bytes = oursToOnnx(
        be,
        {
          seed: SEED,
          layers: w.ours(false),
          inputShape: w.inputShape,
          loss: w.loss,
          optimizer: optimizers.sgd({ learningRate: GATE_SGD_LR }),
        },
        weights,
      );
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
      const input = session.inputNames[0];
      const output = session.outputNames[0];
      return {
        stage(h: HostBatch) {
          if (!(h.x instanceof Int32Array)) throw new Error('onnxruntime-web contender: token-id inputs only');
          const ids = BigInt64Array.from(h.x, (v) => BigInt(v));
          const T = h.xShape[1];
          // the feeds for each batch size, made outside the timed region
          const feeds = new Map<number, ort.Tensor[]>();
          const chunks = (bs: number) => {
            let f = feeds.get(bs);
            if (!f) {
              f = [];
              for (let i = 0; i < h.B; i += bs) {
                const n = Math.min(bs, h.B - i);
                f.push(new ort.Tensor('int64', ids.subarray(i * T, (i + n) * T), [n, T]));
              }
              feeds.set(bs, f);
            }
            return f;
          };
          return {
            train: () => Promise.reject(new Error('onnxruntime-web: inference only')),
            async predict(bs) {
              const parts: Float32Array[] = [];
              for (const t of chunks(bs)) {
                const r = await session.run({ [input]: t });
                parts.push(r[output].data as Float32Array);
              }
              if (parts.length === 1) return parts[0];
              const outArr = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
              let o = 0;
              for (const p of parts) {
                outArr.set(p, o);
                o += p.length;
              }
              return outArr;
            },
            dispose() {},
          };
        },
        dispose: () => void session.release(),
      };
    },
  };
}

// ----------------------------------------------------------------- PyTorch

export interface TorchInfo {
  python: string;
  torch: string;
  threads: number;
  blas: { libraries: string[]; openblas: string | null };
  cpuCapability: string | null;
}

interface Reply {
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

/** The Python interpreter that imports torch: $WASM_RNN_PYTHON, else python3 on PATH, else /usr/bin/python3. */
function findPython(): string | null {
  const candidates = process.env.WASM_RNN_PYTHON ? [process.env.WASM_RNN_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const p of candidates) {
    const r = spawnSync(p, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return p;
  }
  return null;
}

function b64(a: Float32Array | Int32Array): { dtype: string; shape: number[]; data: string } {
  return {
    dtype: a instanceof Int32Array ? 'int32' : 'float32',
    shape: [a.length],
    data: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

function shaped(a: Float32Array | Int32Array, shape: readonly number[]) {
  return { ...b64(a), shape: [...shape] };
}

/** One long-lived Python process answering one JSON line per request, in order. */
class TorchProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private dead: Error | null = null;

  constructor(python: string, script: string) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      OPENBLAS_NUM_THREADS: '1',
      OMP_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
    };
    // left to OpenBLAS: it picks its kernel for this CPU when these are unset
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    this.child = spawn(python, [script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w.resolve(JSON.parse(line) as Reply);
    });
    // a write after the child died fails with EPIPE; its exit already rejected every request
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on('exit', (code) => {
      this.dead = new Error(`PyTorch contender exited (${code}): ${this.stderr.trim()}`);
      for (const w of this.waiting.splice(0)) w.reject(this.dead);
    });
  }

  request(req: Record<string, unknown>): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.push({
        resolve: (r) => (r.ok ? resolve(r) : reject(new Error(`PyTorch contender: ${r.error}`))),
        reject,
      });
      this.child.stdin.write(JSON.stringify(req) + '\n');
    });
  }

  /** End of input: the script returns, the child exits, Node can too. */
  close(): void {
    this.child.stdin.end();
  }
}

function timing(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], samples: s.length };
}

/**
 * Native PyTorch on W1, W4 and W5, or null (with the reason) when no Python
 * here imports torch. close() ends its process.
 */
export async function torchContender(): Promise<
  { contender: Contender; info: TorchInfo; close(): void } | { contender: null; reason: string }
> {
  const script = join(process.cwd(), 'bench/torch_contender.py');
  if (!existsSync(script)) return { contender: null, reason: `${script} not found (run the bench from the repository root)` };
  const python = findPython();
  if (!python) return { contender: null, reason: 'no python3 that imports torch and numpy (see docs/benchmarks.md to install it)' };
  const proc = new TorchProcess(python, script);
  let info: TorchInfo;
  try {
    info = (await proc.request({ cmd: 'info' })) as unknown as TorchInfo;
  } catch (e) {
    proc.close();
    return {
      contender: null,
      reason: `${python} imports torch, but the contender script failed: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  let next = 0;
  const contender: Contender = {
    name: TORCH_NAME,
    ours: false,
    slow: false,
    workloads: ['W1', 'W4', 'W5'],
    async build(w, weights: Tensor[] | null, o = {}) {
      if (!weights) throw new Error('PyTorch contender needs weights');
      const id = ++next;
      await proc.request({
        cmd: 'build',
        id,
        workload: w.id,
        weights: weights.map((t) => shaped(t.data as Float32Array, t.shape)),
        optimizer: o.optimizer === 'sgd' ? 'sgd' : 'adam',
        lr: o.optimizer === 'sgd' ? GATE_SGD_LR : 1e-3,
      });
      return {
        stage(h) {
          // one staged batch per model (the last one), as the bench uses them
          const staged = proc.request({ cmd: 'stage', id, x: shaped(h.x, h.xShape), y: shaped(h.y, h.yShape) });
          return {
            train: async () => {
              await staged;
              return (await proc.request({ cmd: 'train', id })).loss as number;
            },
            predict: async (batchSize) => {
              await staged;
              const r = await proc.request({ cmd: 'predict', id, batchSize });
              const buf = Buffer.from(r.y as string, 'base64');
              return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
            },
            time: async (what, batchSize, t: TimeOptions) => {
              await staged;
              const r = await proc.request({
                cmd: 'time',
                id,
                what,
                batchSize,
                warmup: t.warmupIterations ?? 3,
                iterations: t.iterations ?? 5,
                minMs: t.time ?? 600,
              });
              return timing(r.ms as number[]);
            },
            dispose() {},
          };
        },
        dispose: () => void proc.request({ cmd: 'free', id }).catch(() => {}),
      };
    },
  };
  return { contender, info, close: () => proc.close() };
}

export function torchInfoLine(i: TorchInfo): string {
  return (
    `PyTorch ${i.torch} (Python ${i.python}), ${i.threads} thread, CPU capability ${i.cpuCapability ?? '?'}, ` +
    `BLAS ${i.blas.openblas ? `OpenBLAS core ${i.blas.openblas}` : '(not OpenBLAS)'} from ${i.blas.libraries.join(', ') || '?'}; ` +
    'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OPENBLAS_NUM_THREADS=1'
  );
}
