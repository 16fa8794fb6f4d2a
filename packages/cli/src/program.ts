import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerStatus } from './commands/status.js';
import { DEFAULT_SERVER_URL } from './config.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { printError } from './output.js';

/** Options every command accepts, before or after its name. */
export interface GlobalOptions {
  server?: string | undefined;
  json?: boolean | undefined;
}

/** Builds the `mypostshare` program with every command registered. No side effects until parsed. */
export function buildProgram(): Command {
  const program = new Command('mypostshare')
    .description('Operate a mypostshare server and develop against its API')
    .version(packageJson.version, '-V, --version', 'print the CLI version')
    .option('--server <url>', `server origin (default: $MYPOSTSHARE_SERVER_URL, else ${DEFAULT_SERVER_URL})`)
    .option('--json', 'print the result as JSON on stdout, and nothing else there')
    .showHelpAfterError('(run mypostshare --help for usage)')
    // Errors come back to run() as exceptions so the exit codes stay ours.
    .exitOverride();
  registerStatus(program);
  return program;
}

/** Runs the CLI on `argv` (as in `process.argv`) and resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    // Commander already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      printError(error.message, error.hint);
      return error.exitCode;
    }
    printError(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}
