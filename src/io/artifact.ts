/**
 * The binary container of a wasm-rnn artifact. Layout (little-endian):
 *
 *   0   4  magic "WRNN"
 *   4   4  u32 container version (1)
 *   8   4  u32 header length H (bytes of UTF-8 JSON)
 *   12  4  u32 data length D (bytes, a multiple of 4)
 *   16  4  u32 MurmurHash3_x86_32 (seed 0) of bytes [20, 20 + H + pad + D)
 *   20  H  header JSON
 *   ..     zero padding to a multiple of 4
 *   ..  D  data: float32 values the header points into by element offset
 *
 * Everything is checked before anything is built: magic, version, lengths,
 * checksum, JSON. A truncated or altered file is an E_FORMAT error that says
 * which check failed, never a half-loaded model.
 */
import { fail } from '../errors.js';

export const MAGIC = 0x4e4e5257; // "WRNN" read as a little-endian u32
/** Float32Arrays are little-endian on every platform we know; the slow path keeps others correct. */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;
export const CONTAINER_VERSION = 1;
const PREFIX = 20;

export interface Container {
  header: Record<string, unknown>;
  data: Float32Array;
}

export function encodeContainer(header: Record<string, unknown>, data: Float32Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - (json.length % 4)) % 4;
  const total = PREFIX + json.length + pad + data.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, CONTAINER_VERSION, true);
  view.setUint32(8, json.length, true);
  view.setUint32(12, data.byteLength, true);
  out.set(json, PREFIX);
  const dataAt = PREFIX + json.length + pad;
  // little-endian float32s, whatever the host's byte order
  if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataAt);
  else for (let i = 0; i < data.length; i++) view.setFloat32(dataAt + 4 * i, data[i], true);
  view.setUint32(16, checksum(out, PREFIX, total), true);
  return out;
}

export function decodeContainer(bytes: Uint8Array): Container {
  if (!(bytes instanceof Uint8Array)) fail('E_FORMAT', 'loadModel: expected the bytes of a wasm-rnn artifact (a Uint8Array)');
  if (bytes.length < PREFIX) fail('E_FORMAT', `loadModel: ${bytes.length} bytes is too short to be a wasm-rnn artifact (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) {
    const looksJson = bytes[0] === 0x7b; // '{'
    fail(
      'E_FORMAT',
      'loadModel: not a wasm-rnn artifact (wrong magic number)' +
        (looksJson ? '; this looks like JSON: for a TF.js model.json use fromTfjs()' : ''),
    );
  }
  const version = view.getUint32(4, true);
  if (version !== CONTAINER_VERSION) {
    fail(
      'E_FORMAT',
      `loadModel: artifact container version ${version} is not supported (this library reads version ${CONTAINER_VERSION}); upgrade wasm-rnn`,
    );
  }
  const H = view.getUint32(8, true);
  const D = view.getUint32(12, true);
  const pad = (4 - (H % 4)) % 4;
  const expected = PREFIX + H + pad + D;
  if (D % 4 !== 0 || expected !== bytes.length) {
    fail('E_FORMAT', `loadModel: the artifact should be ${expected} bytes but is ${bytes.length} (truncated or corrupted)`);
  }
  const sum = checksum(bytes, PREFIX, bytes.length);
  if (sum !== view.getUint32(16, true)) fail('E_FORMAT', 'loadModel: checksum mismatch: the artifact is corrupted');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + H)));
  } catch (e) {
    fail('E_FORMAT', `loadModel: the artifact header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header))
    fail('E_FORMAT', 'loadModel: the artifact header is not a JSON object');
  const dataAt = PREFIX + H + pad;
  const data = new Float32Array(D / 4);
  if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(dataAt, dataAt + D));
  else for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataAt + 4 * i, true);
  return { header: header as Record<string, unknown>, data };
}

/**
 * MurmurHash3 (x86, 32-bit) of bytes[from, to): every input bit affects the
 * result, so any corruption is caught with probability 1 - 2^-32, and it
 * reads whole 32-bit words (a multi-megabyte artifact takes about a
 * millisecond, where a byte-wise CRC-32 took five).
 */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length, seed = 0): number {
  const n = to - from;
  const words = n >>> 2;
  let h = seed >>> 0;
  // little-endian words; an unaligned or big-endian view falls back to bytes
  const aligned = (bytes.byteOffset + from) % 4 === 0 && LITTLE_ENDIAN;
  const view = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset + from, words) : null;
  for (let i = 0; i < words; i++) {
    let k = view
      ? view[i]
      : bytes[from + 4 * i] | (bytes[from + 4 * i + 1] << 8) | (bytes[from + 4 * i + 2] << 16) | (bytes[from + 4 * i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = from + 4 * words;
  const rest = n & 3;
  if (rest > 0) {
    let k = bytes[tail];
    if (rest > 1) k ^= bytes[tail + 1] << 8;
    if (rest > 2) k ^= bytes[tail + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
