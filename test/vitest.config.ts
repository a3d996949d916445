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
  },
});
