// A runtime without WebAssembly: delete the global, then run the probe.
// (For engines with no flag for it, e.g. Bun's JavaScriptCore.)
delete globalThis.WebAssembly;
if (typeof WebAssembly !== 'undefined') throw new Error('could not hide WebAssembly');
await import('../probe.mjs');
