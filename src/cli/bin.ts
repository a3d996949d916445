/** The `wasm-rnn` executable (dist/cli.js): process arguments and streams in, exit code out. */
import { main } from './main.js';

// `wasm-rnn predict ... | head -1`: the reader of stdout is gone, which is no
// error of the user's: stop quietly (status 0: the consumer has what it
// wanted) instead of an uncaught EPIPE with a stack trace. If only stderr's
// reader is gone (progress piped away), the diagnostics are dropped and the
// work goes on, so a model being trained is still saved.
let stderrOpen = true;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stderrOpen = false;
});

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => {
    if (stderrOpen) process.stderr.write(s);
  },
  isTTY: !!process.stderr.isTTY,
});
process.exitCode = code;
