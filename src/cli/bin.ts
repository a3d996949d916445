/** The `wasm-rnn` executable (dist/cli.js): process arguments and streams in, exit code out. */
import { main } from './main.js';

// `wasm-rnn predict ... | head -1`: the reader is gone, which is no error of
// the user's. Stop quietly (status 0, as the pipeline's consumer decided)
// instead of an uncaught EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stderr.isTTY,
});
process.exitCode = code;
