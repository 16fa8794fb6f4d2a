import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure to report to the user: one line of message, an optional hint on how to fix it, and the
 * exit code. Commands throw it; `run()` prints it and exits.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}
