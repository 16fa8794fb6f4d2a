import { Command, CommanderError, Help } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { COMMANDS, type CommandEntry } from './command-table.js';
import { DEFAULT_SERVER_URL } from './config.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { printError } from './output.js';

export type { GlobalOptions } from './context.js';

const ENVIRONMENT_HELP = `
Environment:
  MYPOSTSHARE_SERVER_URL    server origin (overrides the profile's)
  MYPOSTSHARE_ADMIN_TOKEN   admin token (overrides the profile's)
  MYPOSTSHARE_API_KEY       an app's API key (overrides the profile's)
  MYPOSTSHARE_APP_ID        the app admin commands act on
  MYPOSTSHARE_PROFILE       the profile to use
  XDG_CONFIG_HOME           profiles live in $XDG_CONFIG_HOME/mypostshare/config.json
  NO_COLOR                  no colour; CI: no prompts, spinners or hints

Exit codes: 0 ok, 1 failure, 2 usage, 3 auth, 4 not found, 5 server error, 6 unreachable, 130 interrupted
`;

/**
 * Builds the `mypostshare` program to parse `args` (`process.argv.slice(2)`). Every command is
 * listed, but only those named in `args` are complete: the others have their name and description
 * only (commands/*.ts stay unloaded), which is all `mypostshare --help` and "did you mean" need.
 * No side effects until parsed.
 */
export async function buildProgram(args: readonly string[]): Promise<Command> {
  // Commander only runs, or shows the help of, a command whose name is one of the arguments, word
  // for word (`mypostshare apps list`, `mypostshare help apps`). A word that merely looks like one (a
  // profile called `apps`) loads a module for nothing: slower, never wrong.
  const words = new Set(args);
  return assemble(
    COMMANDS.filter((entry) => [entry.name, ...(entry.aliases ?? [])].some((word) => words.has(word))),
  );
}

/** The program with every command complete: for tests and tools that walk the whole command tree. */
export function buildFullProgram(): Promise<Command> {
  return assemble(COMMANDS);
}

/** The program, with the commands of `toComplete` complete and the others listed only. */
async function assemble(toComplete: readonly CommandEntry[]): Promise<Command> {
  const definitions = new Map(
    await Promise.all(toComplete.map(async (entry) => [entry, await entry.load()] as const)),
  );
  // A command listed only has no options or arguments for the help to show: its signature from the
  // table stands in for them, so that `mypostshare --help` reads the same either way.
  const signatures = new Map<Command, string>();
  const defaultHelp = new Help();
  const program = new Command('mypostshare')
    .description('Operate a mypostshare server and develop against its API')
    .version(packageJson.version, '-V, --version', 'print the CLI version')
    .option('--server <url>', `server origin (default: the profile's, else ${DEFAULT_SERVER_URL})`)
    .option('--profile <name>', 'profile to use (default: the current one)')
    .option('--app <id>', "app to act on (default: the profile's)")
    .option('--json', 'print the result as JSON on stdout, and nothing else there')
    .option('--no-interactive', 'never prompt; fail when a required value is missing')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .configureHelp({
      subcommandTerm: (command) => {
        const signature = signatures.get(command);
        const term = defaultHelp.subcommandTerm(command);
        return signature ? `${term} ${signature}` : term;
      },
    })
    // Errors come back to run() as exceptions so the exit codes stay ours.
    .exitOverride();
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.description);
    if (entry.aliases) command.aliases(entry.aliases);
    const define = definitions.get(entry);
    if (define) define(command);
    else if (entry.signature) signatures.set(command, entry.signature);
  }
  return program;
}

/** Whether `-V`/`--version` appears among the options (before a `--`), on any command. */
function asksForVersion(args: string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '-V' || arg === '--version') return true;
  }
  return false;
}

/** Runs the CLI on `argv` (as in `process.argv`) and resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    // Commander knows --version on the top level only; `mypostshare apps --version` works too.
    if (asksForVersion(argv.slice(2))) {
      process.stdout.write(`${packageJson.version}\n`);
      return EXIT.ok;
    }
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
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
