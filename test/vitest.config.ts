import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/runtimes/**', 'node_modules/**'],
    pool: 'forks',
    // Node 20 hides relaxed SIMD behind a flag; with it the relaxed build is tested too.
    execArgv: ['--experimental-wasm-relaxed-simd', '--expose-gc'],
    testTimeout: 60_000,
    // dist's bundles, built once into a temporary folder: inject('distDir')
    globalSetup: ['test/build/global_setup.ts'],
    // TF.js (the parity oracle) greets every process with an ad for tfjs-node; it is not ours to print
    onConsoleLog: (log) => !log.includes('looks like you are running TensorFlow.js in Node.js'),
  },
});
