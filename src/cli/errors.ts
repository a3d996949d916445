/**
 * The CLI's two kinds of failure, mapped to exit codes by main():
 *   UserError   bad input (a data file, a model file, an option's value): 1
 *   UsageError  the command line itself (unknown command or flag, missing
 *               required flag): 2, with a pointer to --help
 * Each message is one line saying what and where ("data.csv:12: ...").
 */
export class UserError extends Error {
  readonly exitCode = 1;
}

export class UsageError extends Error {
  readonly exitCode = 2;
}

/** "file:line: message" (line omitted when unknown). */
export function at(file: string, line: number | null, message: string): UserError {
  return new UserError(line === null ? `${file}: ${message}` : `${file}:${line}: ${message}`);
}
