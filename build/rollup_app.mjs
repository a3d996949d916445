// An app bundled as Vite builds it for production: Rollup, code split (an
// import() becomes a chunk of its own), 'wasm-rnn' resolved to a dist folder's
// index.js. Shared by S1 (bench/size.bench.ts), which measures the chunks,
// and test/build/dist.test.ts, which checks what they hold.

/**
 * Bundle `source` (an app's module text importing 'wasm-rnn') against
 * `index` (a built dist/index.js): every chunk's code, and the names of the
 * chunks a page loads up front (the entry and what it imports statically).
 */
export async function rollupApp(index, source) {
  const { rollup } = await import('rollup');
  const b = await rollup({
    input: 'app',
    plugins: [
      {
        name: 'app',
        resolveId: (id) => (id === 'app' ? id : id === 'wasm-rnn' ? index : null),
        load: (id) => (id === 'app' ? source : null),
      },
    ],
    onwarn: () => {},
  });
  const { output } = await b.generate({ format: 'es' });
  await b.close();
  const chunks = new Map(output.flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c]] : [])));
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const i of chunks.get(name).imports) visit(i);
  };
  visit([...chunks.values()].find((c) => c.isEntry).fileName);
  return { code: new Map([...chunks].map(([name, c]) => [name, c.code])), initial };
}
