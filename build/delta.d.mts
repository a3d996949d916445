// Types of build/delta.mjs, for the test that round-trips deltas with it.
export function encodeDelta(source: Uint8Array, target: Uint8Array): Uint8Array;
