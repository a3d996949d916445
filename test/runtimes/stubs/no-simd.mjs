// Preloaded with `node --import`: makes this engine behave, towards
// wasm-rnn, like one without WebAssembly SIMD. Such an engine rejects any
// module that uses SIMD instructions: validate() says false, compile()
// throws a CompileError. "Uses SIMD" = the 0xfd opcode prefix occurs in the
// code section. A byte scan cannot tell an opcode from an immediate in
// general, so only wasm-rnn's builds (they export ABI_VERSION) are judged;
// Node's own wasm (undici's llhttp) is left alone.
const W = globalThis.WebAssembly;

function bytesOf(src) {
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  return null;
}

const MARK = new TextEncoder().encode('ABI_VERSION');

function isWasmRnn(b) {
  outer: for (let i = 0; i + MARK.length <= b.length; i++) {
    for (let j = 0; j < MARK.length; j++) if (b[i + j] !== MARK[j]) continue outer;
    return true;
  }
  return false;
}

function usesSimd(src) {
  const b = bytesOf(src);
  if (!b || b.length < 8 || !isWasmRnn(b)) return false;
  let i = 8; // magic + version
  while (i < b.length) {
    const id = b[i++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[i++];
      size |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    if (id === 10) return b.subarray(i, i + size).includes(0xfd);
    i += size;
  }
  return false;
}

const reject = () =>
  new W.CompileError('WebAssembly.compile(): SIMD is not supported by this engine (simulated by test/runtimes/stubs/no-simd.mjs)');
const validate = W.validate;
const compile = W.compile;
const instantiate = W.instantiate;
W.validate = (src, ...rest) => !usesSimd(src) && validate.call(W, src, ...rest);
W.compile = async (src, ...rest) => {
  if (usesSimd(src)) throw reject();
  return compile.call(W, src, ...rest);
};
W.instantiate = async (src, ...rest) => {
  if (!(src instanceof W.Module) && usesSimd(src)) throw reject();
  return instantiate.call(W, src, ...rest);
};
