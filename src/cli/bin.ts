/** The `wasm-rnn` executable (dist/cli.js): process arguments and streams in, exit code out. */
import { main } from './main.js';

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stderr.isTTY,
});
process.exitCode = code;
