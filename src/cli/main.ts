/**
 * The wasm-rnn command line: main(argv, io) runs one command and returns its
 * exit code, never exiting the process itself (tests call it in-process).
 *
 *   0  done
 *   1  a user error: bad data, model file or option value; one line on stderr
 *      saying what and where ("wasm-rnn: data.csv:12: empty text ...")
 *   2  a usage error: unknown command or option, missing required option,
 *      an option value of the wrong kind or out of range
 *   70 a bug of ours (an error we did not raise on purpose), with its stack
 */
import { init } from '../backend/load.js';
import { WasmRnnError } from '../errors.js';
import { evaluate, EVALUATE_HELP, predict, PREDICT_HELP } from './classify.js';
import { convert, CONVERT_HELP } from './convert.js';
import type { CliIO } from './common.js';
import { nearest } from './args.js';
import { UsageError, UserError } from './errors.js';
import { generate, GENERATE_HELP, trainLm, TRAIN_LM_HELP } from './generate.js';
import { train, TRAIN_HELP } from './train.js';
import { tune, TUNE_HELP } from './tune.js';

export type { CliIO };

const COMMANDS: Record<string, { run: (argv: readonly string[], io: CliIO) => Promise<number>; help: string; summary: string }> = {
  train: { run: train, help: TRAIN_HELP, summary: 'train a text classifier from a .csv/.tsv/.jsonl file' },
  predict: { run: predict, help: PREDICT_HELP, summary: 'classify texts with a saved model (JSON lines out)' },
  evaluate: { run: evaluate, help: EVALUATE_HELP, summary: 'accuracy, per-class precision/recall/F1, confusion matrix' },
  tune: { run: tune, help: TUNE_HELP, summary: 'grid or random hyperparameter search with cross-validation' },
  'train-lm': { run: trainLm, help: TRAIN_LM_HELP, summary: 'train a character- or word-level language model on a text file' },
  generate: { run: generate, help: GENERATE_HELP, summary: 'continue a prompt with a language model' },
  convert: { run: convert, help: CONVERT_HELP, summary: 'a model between wasm-rnn (.wrnn), ONNX (.onnx) and TF.js (model.json)' },
};

export const HELP = [
  'usage: wasm-rnn <command> [options]',
  '',
  'Recurrent text models (LSTM, GRU, SimpleRNN) trained and run in WebAssembly.',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`),
  '',
  "wasm-rnn <command> --help shows a command's options. Exit codes: 0 done, 1 bad input, 2 bad usage (an unknown or",
  'misspelt option, an option value of the wrong kind or out of range).',
  '',
].join('\n');

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? COMMANDS[rest[0]] : undefined;
    (command === undefined ? io.stderr : io.stdout)(topic ? topic.help : HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    io.stdout('wasm-rnn 0.1.0\n');
    return 0;
  }
  const c = COMMANDS[command];
  if (!c) {
    const near = nearest(command, Object.keys(COMMANDS));
    io.stderr(
      `wasm-rnn: unknown command ${JSON.stringify(command)}${near ? `; did you mean ${near}?` : ''} (commands: ${Object.keys(COMMANDS).join(', ')}; see wasm-rnn --help)\n`,
    );
    return 2;
  }
  try {
    if (!rest.includes('--help') && !rest.includes('-h')) await init();
    return await c.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    if (e instanceof UserError || e instanceof WasmRnnError) {
      io.stderr(`wasm-rnn ${command}: ${oneLine(e.message)}\n`);
      return 1;
    }
    io.stderr(`wasm-rnn ${command}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
