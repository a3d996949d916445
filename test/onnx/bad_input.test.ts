/**
 * Hostile and unsupported ONNX: each case imports correctly or is one clear
 * E_FORMAT error naming the node (op type and name) — never a crash, never
 * an allocation the bytes do not justify. Then a seeded fuzz: ~3,000
 * mutations of real fixtures (byte flips, truncations, and edits of the
 * decoded model: dimensions, types, attributes, op types, wiring, opsets).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, Tensor, WasmRnnError, layers } from '../../src/index.js';
import { fromOnnx, toOnnx } from '../../src/onnx/index.js';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  ModelProtoSchema,
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  type NodeProto,
  TensorProto_DataLocation,
  type ModelProto,
} from '../../src/onnx/proto/onnx_pb.js';
import { Rng } from '../util.js';
import { fixtureBytes } from './helpers.js';

beforeAll(async () => {
  setBackend(await createBackend({ backend: 'wasm-simd' }));
});

function formatError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WasmRnnError)) throw e;
    expect(e.code).toBe('E_FORMAT');
    return e.message;
  }
  throw new Error('expected an E_FORMAT error, but the import succeeded');
}

/** A fixture, decoded, edited, encoded. */
function edited(name: string, edit: (m: ModelProto) => void): Uint8Array {
  const m = fromBinary(ModelProtoSchema, fixtureBytes(name));
  edit(m);
  return toBinary(ModelProtoSchema, m);
}

const node = (m: ModelProto, op: string) => m.graph!.node.find((n) => n.opType === op)!;

describe('bad and unsupported ONNX', () => {
  it('truncated and corrupted protobuf', () => {
    const good = fixtureBytes('lstm_tagger');
    for (const n of [1, 7, 100, good.length >> 1, good.length - 3]) formatError(() => fromOnnx(good.slice(0, n)));
    formatError(() => fromOnnx(new Uint8Array(0)));
    formatError(() => fromOnnx(new TextEncoder().encode('{"modelTopology": {}}')));
    formatError(() => fromOnnx(Uint8Array.from({ length: 4000 }, (_, i) => (i * 2654435761) >>> 24)));
    expect(() => fromOnnx('model.onnx' as never)).toThrow(/expected the bytes of an .onnx file/);
  });

  it('a graph with a cycle names the nodes on it', () => {
    const bytes = edited('lstm_tagger', (m) => {
      // the LSTM reads its own output through the Transpose that feeds it
      const t = m.graph!.node.find((n) => n.opType === 'Transpose')!;
      t.input[0] = node(m, 'LSTM').output[0];
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(/cycle through .*Transpose '\/rnn\/Transpose'.*LSTM '\/rnn\/LSTM'/s);
  });

  it('a dimension of 2^31, or a shape past 2^31 elements, is refused before anything is allocated', () => {
    const big = edited('lstm_tagger', (m) => {
      m.graph!.initializer[0].dims = [2n ** 31n, 8n];
    });
    expect(formatError(() => fromOnnx(big))).toMatch(/initializer 'emb.weight': dimension 2147483648 is out of range/);
    const huge = edited('lstm_tagger', (m) => {
      m.graph!.initializer[0].dims = [65536n, 65536n];
    });
    expect(formatError(() => fromOnnx(huge))).toMatch(/more than 2\^31 elements/);
    const inputDim = edited('lstm_tagger', (m) => {
      const t = m.graph!.input[0].type!.value;
      if (t.case === 'tensorType') t.value.shape!.dim[1].value = { case: 'dimValue', value: 2n ** 31n };
    });
    expect(formatError(() => fromOnnx(inputDim))).toMatch(/input 'input': dimension 1 is 2147483648/);
  });

  it('an initializer whose bytes disagree with its shape', () => {
    const bytes = edited('lstm_tagger', (m) => {
      m.graph!.initializer[0].dims = [25n, 8n];
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(
      /initializer 'emb.weight': raw_data holds 768 bytes, but shape \[25, 8\] of FLOAT needs 800/,
    );
  });

  it('weights in an external file', () => {
    const bytes = edited('lstm_tagger', (m) => {
      const t = m.graph!.initializer[0];
      t.rawData = new Uint8Array(0);
      t.dataLocation = TensorProto_DataLocation.EXTERNAL;
      t.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' })];
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(/external file \('weights.bin'\).*save_as_external_data=False/);
  });

  it('an opset or IR version we do not know', () => {
    for (const v of [99n, 5n]) {
      const bytes = edited('lstm_tagger', (m) => {
        m.opsetImport[0].version = v;
      });
      expect(formatError(() => fromOnnx(bytes))).toMatch(new RegExp(`ONNX opset ${v} is one we do not know \\(we read opsets 7 to 27\\)`));
    }
    const ir = edited('lstm_tagger', (m) => {
      m.irVersion = 99n;
    });
    expect(formatError(() => fromOnnx(ir))).toMatch(/IR version 99 is newer/);
  });

  it('an LSTM with clip or input_forget', () => {
    const clip = edited('lstm_tagger', (m) => {
      node(m, 'LSTM').attribute.push(create(AttributeProtoSchema, { name: 'clip', type: AT.FLOAT, f: 3 }));
    });
    expect(formatError(() => fromOnnx(clip))).toMatch(/LSTM '\/rnn\/LSTM': clip = 3: our cells do not clip/);
    const coupled = edited('lstm_tagger', (m) => {
      node(m, 'LSTM').attribute.push(create(AttributeProtoSchema, { name: 'input_forget', type: AT.INT, i: 1n }));
    });
    expect(formatError(() => fromOnnx(coupled))).toMatch(/LSTM '\/rnn\/LSTM': input_forget = 1/);
  });

  it('every unsupported node is listed in one error, with its op type and name', () => {
    const bytes = edited('lstm_tagger', (m) => {
      const g = m.graph!;
      const mm = node(m, 'MatMul');
      const out = mm.output[0];
      mm.output[0] = 'pre_norm';
      g.node.push(
        create(NodeProtoSchema, { opType: 'LayerNormalization', name: 'norm', input: ['pre_norm', 'fc.bias'], output: ['normed'] }),
        create(NodeProtoSchema, { opType: 'Custom', domain: 'com.example', name: 'mystery', input: ['normed'], output: [out] }),
      );
      node(m, 'LSTM').attribute.push(create(AttributeProtoSchema, { name: 'clip', type: AT.FLOAT, f: 1 }));
    });
    const msg = formatError(() => fromOnnx(bytes));
    expect(msg).toMatch(/LayerNormalization 'norm': op type LayerNormalization is not supported/);
    expect(msg).toMatch(/LSTM '\/rnn\/LSTM': clip/);
    expect(msg).toMatch(/Custom 'mystery': op type com.example.Custom is not supported/);
    // the MatMul between them is fine in itself: it only reads a reported node's output
    expect(msg).not.toMatch(/MatMul/);
  });

  it('Conv and pooling that Conv1D and the pooling layers cannot express are named, never approximated', () => {
    const attr = (name: string, v: number | number[] | string) =>
      create(AttributeProtoSchema, {
        name,
        ...(typeof v === 'string'
          ? { type: AT.STRING, s: new TextEncoder().encode(v) }
          : Array.isArray(v)
            ? { type: AT.INTS, ints: v.map(BigInt) }
            : { type: AT.INT, i: BigInt(v) }),
      });
    const setAttr = (n: NodeProto, name: string, v: number | number[] | string) => {
      n.attribute = n.attribute.filter((a) => a.name !== name);
      n.attribute.push(attr(name, v));
    };
    const conv = (edit: (n: NodeProto) => void) => edited('conv_maxpool', (m) => edit(node(m, 'Conv')));
    expect(formatError(() => fromOnnx(conv((n) => setAttr(n, 'group', 2))))).toMatch(/Conv '\/conv\/Conv': group 2/);
    expect(formatError(() => fromOnnx(conv((n) => setAttr(n, 'pads', [0, 1]))))).toMatch(/Conv '\/conv\/Conv': pads \[0, 1\]/);
    expect(formatError(() => fromOnnx(conv((n) => setAttr(n, 'pads', [2, 2]))))).toMatch(/Conv '\/conv\/Conv': pads \[2, 2\]/);
    expect(
      formatError(() =>
        fromOnnx(
          conv((n) => {
            setAttr(n, 'pads', [0, 0]);
            setAttr(n, 'strides', [2]);
            setAttr(n, 'dilations', [2]);
          }),
        ),
      ),
    ).toMatch(/Conv '\/conv\/Conv': strides 2 with dilations 2/);
    expect(
      formatError(() =>
        fromOnnx(
          conv((n) => {
            n.attribute = n.attribute.filter((a) => a.name !== 'pads');
            setAttr(n, 'auto_pad', 'SAME_LOWER');
            setAttr(n, 'strides', [2]);
          }),
        ),
      ),
    ).toMatch(/Conv '\/conv\/Conv': auto_pad SAME_LOWER/);
    // causal pads [span - 1, 0] import, as does SAME_UPPER
    expect(fromOnnx(conv((n) => setAttr(n, 'pads', [2, 0]))).layers.map((l) => l.getConfig().padding)).toContain('causal');
    // a windowed pooling in place of the global one: ceil_mode, storage_order, count_include_pad with padding
    const pool = (op: string, attrs: [string, number | number[]][]) =>
      edited('conv_maxpool', (m) => {
        const g = node(m, 'GlobalMaxPool');
        g.opType = op;
        g.name = 'pool';
        g.attribute.push(attr('kernel_shape', [3]), ...attrs.map(([k, v]) => attr(k, v)));
      });
    expect(formatError(() => fromOnnx(pool('MaxPool', [['ceil_mode', 1]])))).toMatch(/MaxPool 'pool': ceil_mode 1/);
    expect(formatError(() => fromOnnx(pool('MaxPool', [['storage_order', 1]])))).toMatch(/MaxPool 'pool': storage_order 1/);
    expect(
      formatError(() =>
        fromOnnx(
          pool('AveragePool', [
            ['pads', [1, 1]],
            ['count_include_pad', 1],
          ]),
        ),
      ),
    ).toMatch(/AveragePool 'pool': count_include_pad 1 with padding/);
    expect(formatError(() => fromOnnx(pool('MaxPool', [['pads', [1, 0]]])))).toMatch(/MaxPool 'pool': pads \[1, 0\]/);
    // a max or mean over the channels (not time) is no pooling of ours
    const overChannels = (op: string) =>
      edited('conv_max_mean', (m) => {
        setAttr(node(m, op), 'axes', [1]);
      });
    expect(formatError(() => fromOnnx(overChannels('ReduceMax')))).toMatch(
      /ReduceMax '\/ReduceMax': ReduceMax is only supported over the time axis/,
    );
    expect(formatError(() => fromOnnx(overChannels('ReduceMean')))).toMatch(
      /ReduceMean '\/ReduceMean': ReduceMean is only supported over the direction axis of a bidirectional output or the time axis/,
    );
  });

  it('a Conv after an embedding that sequence_lens masks is refused (ours would skip the padding ONNX reads)', () => {
    const model = new Sequential({
      layers: [layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true }), layers.lstm({ units: 3 })],
    });
    model.build([-1]);
    const m = fromBinary(ModelProtoSchema, toOnnx(model));
    model.dispose();
    const g = m.graph!;
    const e = node(m, 'Gather').output[0];
    for (const n of g.node) n.input = n.input.map((x) => (x === e ? 'nlc' : x));
    g.initializer.push(create(TensorProtoSchema, { name: 'cw', dims: [4n, 4n, 3n], dataType: 1, floatData: new Array(48).fill(0.1) }));
    const perm = create(AttributeProtoSchema, { name: 'perm', type: AT.INTS, ints: [0n, 2n, 1n] });
    const pads = create(AttributeProtoSchema, { name: 'pads', type: AT.INTS, ints: [1n, 1n] });
    g.node.unshift(
      create(NodeProtoSchema, { opType: 'Transpose', name: 't1', input: [e], output: ['ncl'], attribute: [perm] }),
      create(NodeProtoSchema, { opType: 'Conv', name: 'conv', input: ['ncl', 'cw'], output: ['c'], attribute: [pads] }),
      create(NodeProtoSchema, { opType: 'Transpose', name: 't2', input: ['c'], output: ['nlc'], attribute: [perm] }),
    );
    expect(formatError(() => fromOnnx(toBinary(ModelProtoSchema, m)))).toMatch(
      /Conv 'conv': reads an embedding that sequence_lens makes masked/,
    );
  });

  it('a custom-domain op is named with its domain', () => {
    const bytes = edited('lstm_tagger', (m) => {
      const mm = node(m, 'MatMul');
      mm.domain = 'com.microsoft';
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(/MatMul '\/fc\/MatMul': op type com.microsoft.MatMul is not supported/);
  });

  it('per-row sequence lengths from a graph input', () => {
    const bytes = edited('onnx_gru_lbr0', (m) => {
      const g = m.graph!;
      const lens = fromBinary(ModelProtoSchema, fixtureBytes('onnx_gru_lbr0')).graph!.input[0];
      lens.name = 'lens';
      g.input.push(lens);
      node(m, 'GRU').input.push('lens');
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(/GRU 'gru_lbr0': sequence_lens gives rows their own lengths/);
  });

  it('a non-zero constant initial state', () => {
    const bytes = edited('onnx_rnn_constant_states', (m) => {
      const h0 = m.graph!.initializer.find((t) => t.name === 'h0')!;
      h0.rawData = new Uint8Array(h0.rawData.length).fill(0x3f);
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(/RNN 'rnn': initial_h is a non-zero constant/);
  });

  it('one time step of a bidirectional sequence (not its final state) is refused, with the fix', () => {
    const bytes = edited('bigru_tagger', (m) => {
      // take out[:, -1, :] instead of every step before the Linear
      const mm = node(m, 'MatMul');
      const g = m.graph!;
      g.node.splice(
        g.node.indexOf(mm),
        0,
        create(NodeProtoSchema, {
          opType: 'Gather',
          name: 'last_step',
          input: [mm.input[0], 'minus_one'],
          output: ['last'],
          attribute: [create(AttributeProtoSchema, { name: 'axis', type: AT.INT, i: 1n })],
        }),
      );
      mm.input[0] = 'last';
      g.node.unshift(
        create(NodeProtoSchema, {
          opType: 'Constant',
          name: 'minus_one',
          output: ['minus_one'],
          attribute: [create(AttributeProtoSchema, { name: 'value_int', type: AT.INT, i: -1n })],
        }),
      );
    });
    expect(formatError(() => fromOnnx(bytes))).toMatch(
      /Gather 'last_step': takes one time step of a bidirectional sequence.*h_n\[-2\], h_n\[-1\]/s,
    );
  });

  it('deeply nested subgraphs do not overflow into a crash', () => {
    // ModelProto.graph -> GraphProto.node -> NodeProto.attribute -> AttributeProto.g -> ..., 30,000 deep
    const len = (n: number) => {
      const out: number[] = [];
      do {
        out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>>= 7;
      } while (n);
      return out;
    };
    // innermost first: each wrapper is a tag and the length of everything inside it
    const prefixes: number[][] = [];
    let size = 0;
    for (let d = 0; d < 30000; d++) {
      // AttributeProto.g (field 6), NodeProto.attribute (field 5), GraphProto.node (field 1)
      for (const tag of [0x32, 0x2a, 0x0a]) {
        const p = [tag, ...len(size)];
        prefixes.push(p);
        size += p.length;
      }
    }
    const bytes = Uint8Array.from([0x08, 0x07, 0x3a, ...len(size), ...prefixes.reverse().flat()]);
    formatError(() => fromOnnx(bytes));
  });
});

describe('fuzz', () => {
  const bases = ['lstm_tagger', 'bilstm2_classifier', 'onnx_gru_lbr0', 'rnn2_relu_time_major'].map((n) => fixtureBytes(n));

  /** One structured edit of a decoded model. */
  function mutate(m: ModelProto, rng: Rng): void {
    const g = m.graph!;
    const pick = <T>(a: T[]): T | undefined => (a.length ? a[rng.int(a.length)] : undefined);
    const odd = [0, 1, 2, 3, -1, 7, 1 << 20, 2 ** 31, 2 ** 40, 65536];
    switch (rng.int(9)) {
      case 0: {
        const t = pick(g.initializer);
        if (t && t.dims.length) t.dims[rng.int(t.dims.length)] = BigInt(pick(odd)!);
        break;
      }
      case 1: {
        const t = pick(g.initializer);
        if (t) t.dataType = rng.int(26);
        break;
      }
      case 2: {
        const t = pick(g.initializer);
        if (t) t.rawData = t.rawData.slice(0, rng.int(t.rawData.length + 1));
        break;
      }
      case 3: {
        const n = pick(g.node);
        if (n)
          n.opType = pick([
            'Transpose',
            'Squeeze',
            'Reshape',
            'Gather',
            'Slice',
            'Concat',
            'LSTM',
            'GRU',
            'RNN',
            'MatMul',
            'Add',
            'Softmax',
            'Relu',
            'Shape',
            'Expand',
            'ConstantOfShape',
            'Identity',
            'Cast',
            'ReduceSum',
            'Not',
          ])!;
        break;
      }
      case 4: {
        const n = pick(g.node);
        const a = n && pick(n.attribute);
        if (a) {
          if (a.type === AT.INT) a.i = BigInt(pick(odd)!);
          else if (a.type === AT.INTS) a.ints = a.ints.map(() => BigInt(pick([...odd, -2, -3])!));
          else if (a.type === AT.FLOAT) a.f = pick([0, -1, 1e30, NaN, 0.5])!;
          else if (a.type === AT.STRING) a.s = new TextEncoder().encode(pick(['reverse', 'bidirectional', 'forward', 'sideways'])!);
          else a.type = rng.int(15);
        }
        break;
      }
      case 5: {
        const n = pick(g.node);
        if (n && n.input.length) {
          const i = rng.int(n.input.length);
          n.input[i] = rng.next() < 0.3 ? '' : pick(g.node.flatMap((x) => x.output))!;
        }
        break;
      }
      case 6:
        m.opsetImport[0].version = BigInt(pick([7, 9, 11, 12, 13, 14, 17, 21, 27, 28, 0])!);
        break;
      case 7: {
        const t = g.input[0]?.type?.value;
        const dims = t?.case === 'tensorType' ? t.value.shape?.dim : undefined;
        if (dims?.length) dims[rng.int(dims.length)].value = { case: 'dimValue', value: BigInt(pick(odd)!) };
        break;
      }
      default: {
        const n = pick(g.node);
        if (n) g.node.splice(g.node.indexOf(n), 1);
      }
    }
  }

  it('~3,000 seeded mutations: each imports and predicts, or is an E_FORMAT error', () => {
    const rng = new Rng(Number(process.env.ONNX_FUZZ_SEED ?? 2024)); // another seed explores more
    const counts = { imported: 0, rejected: 0 };
    const deadline = Date.now() + 20_000;
    let i = 0;
    for (; i < 3000 && Date.now() < deadline; i++) {
      const base = bases[i % bases.length];
      let bytes: Uint8Array;
      const kind = rng.int(3);
      if (kind === 0) {
        bytes = base.slice();
        for (let k = 0; k <= rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
      } else if (kind === 1) {
        bytes =
          rng.next() < 0.7
            ? base.slice(0, rng.int(base.length))
            : Uint8Array.from([...base, ...Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))]);
      } else {
        const m = fromBinary(ModelProtoSchema, base);
        for (let k = 0; k <= rng.int(2); k++) mutate(m, rng);
        bytes = toBinary(ModelProtoSchema, m);
      }
      let model;
      try {
        model = fromOnnx(bytes);
      } catch (e) {
        if (!(e instanceof WasmRnnError) || e.code !== 'E_FORMAT') {
          throw new Error(
            `mutation ${i} (kind ${kind}) threw ${e instanceof WasmRnnError ? e.code : (e as Error).constructor.name}: ${(e as Error).stack}`,
          );
        }
        counts.rejected++;
        continue;
      }
      try {
        const input =
          model.layers[0].className === 'Embedding'
            ? new Tensor(
                Int32Array.from({ length: 8 }, (_, k) => k % 3),
                [2, 4],
              )
            : new Tensor(new Float32Array(2 * 4 * 5), [2, 4, 5]);
        model.predict(input);
      } catch (e) {
        // a mutated but well-formed model may not take this input: an error with a code, not a crash
        if (!(e instanceof WasmRnnError)) throw new Error(`mutation ${i}: predict threw ${(e as Error).stack}`);
      } finally {
        model.dispose();
      }
      counts.imported++;
    }
    console.log(`fuzz: ${i} mutations, ${counts.imported} imported, ${counts.rejected} rejected with E_FORMAT`);
    expect(counts.rejected).toBeGreaterThan(i / 3);
    expect(i).toBeGreaterThanOrEqual(1000);
  });
});
