import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerApps } from './commands/apps.js';
import { registerConnect } from './commands/connect.js';
import { registerCredentials } from './commands/credentials.js';
import { registerDoctor } from './commands/doctor.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerLogs } from './commands/logs.js';
import { registerPlatforms } from './commands/platforms.js';
import { registerPost } from './commands/post.js';
import { registerPosts } from './commands/posts.js';
import { registerProfiles } from './commands/profiles.js';
import { registerRedirects } from './commands/redirects.js';
import { registerStatus } from './commands/status.js';
import { registerUsers } from './commands/users.js';
import { registerWebhooks } from './commands/webhooks.js';
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

/** Builds the `mypostshare` program with every command registered. No side effects until parsed. */
export function buildProgram(): Command {
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
    // Errors come back to run() as exceptions so the exit codes stay ours.
    .exitOverride();
  registerLogin(program);
  registerProfiles(program);
  registerStatus(program);
  registerDoctor(program);
  registerApps(program);
  registerKeys(program);
  registerRedirects(program);
  registerCredentials(program);
  registerUsers(program);
  registerConnect(program);
  registerPost(program);
  registerPosts(program);
  registerPlatforms(program);
  registerLogs(program);
  registerWebhooks(program);
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
