import type { Command } from 'commander';
import {
  DEFAULT_SERVER_URL,
  normalizeServerUrl,
  PROFILE_NAME,
  type Profile,
  readConfig,
  writeConfig,
} from '../config.js';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { mask, table } from '../output.js';

interface LoginFlags {
  adminTokenStdin?: boolean;
  apiKeyStdin?: boolean;
}

/** What `mypostshare login` prints: the saved profile, never its secrets. */
export interface LoginResult {
  profile: string;
  server: string;
  adminToken: boolean;
  apiKey: string | null;
  app: string | null;
}

/** Checks that the server is a mypostshare server and that each credential is accepted. */
async function verify(ctx: Context, server: string, adminToken?: string, apiKey?: string): Promise<void> {
  const [{ MyPostShare }, { MyPostShareAdmin }] = await Promise.all([
    import('@mypostshare/sdk'),
    import('@mypostshare/sdk/admin'),
  ]);
  if (adminToken) {
    const admin = new MyPostShareAdmin({ adminToken, serverUrl: server, maxRetries: 1 });
    await admin.apps.list({ limit: 1 }).catch((error: unknown) => {
      throw rejected(error, 'admin token', server);
    });
  }
  if (apiKey) {
    const client = new MyPostShare({ apiKey, baseUrl: `${server}/api`, maxRetries: 1 });
    await client.platforms.list().catch((error: unknown) => {
      throw rejected(error, 'API key', server);
    });
  }
  ctx.hint(`Checked with ${server}.`);
}

function rejected(error: unknown, what: string, server: string): unknown {
  const status = (error as { status?: unknown }).status;
  if (status === 401 || status === 403) {
    return new CliError(`${server} refused the ${what}; nothing was saved`, {
      exitCode: EXIT.auth,
      hint:
        what === 'API key'
          ? 'copy the key again (it is shown once, at creation), or create one with `mypostshare keys create --save`'
          : "the server prints its admin token on first start and keeps it in its data directory's admin-token file",
    });
  }
  return error;
}

async function login(ctx: Context, flags: LoginFlags): Promise<LoginResult> {
  const settings = await ctx.settings();
  const options = ctx.opts();
  const name = settings.profileName;
  if (!PROFILE_NAME.test(name)) {
    throw new CliError(`"${name}" is not a valid profile name`, {
      exitCode: EXIT.usage,
      hint: 'use letters, digits, "_", "." and "-"',
    });
  }
  if (flags.adminTokenStdin && flags.apiKeyStdin) {
    throw new CliError('only one of --admin-token-stdin and --api-key-stdin can read stdin', {
      exitCode: EXIT.usage,
      hint: 'log in twice, or pass the other one in MYPOSTSHARE_ADMIN_TOKEN / MYPOSTSHARE_API_KEY',
    });
  }
  const prompts = ctx.interactive ? await import('../prompts.js') : undefined;

  // The server: a flag or the environment, else the profile's, else asked, else the default.
  let server = settings.server;
  if (settings.serverSource === 'default' && prompts) {
    server = normalizeServerUrl(
      await prompts.askText('Server URL', {
        default: DEFAULT_SERVER_URL,
        validate: (value) => {
          try {
            normalizeServerUrl(value, 'the server URL');
            return true;
          } catch (error) {
            return (error as Error).message;
          }
        },
      }),
      'the server URL',
    );
  }

  const { readStdinSecret } = await import('../prompts.js');
  let adminToken = flags.adminTokenStdin
    ? await readStdinSecret('admin token')
    : ctx.env.MYPOSTSHARE_ADMIN_TOKEN?.trim() || undefined;
  let apiKey = flags.apiKeyStdin
    ? await readStdinSecret('API key')
    : ctx.env.MYPOSTSHARE_API_KEY?.trim() || undefined;
  if (!adminToken && !apiKey) {
    if (!prompts) {
      throw new CliError('nothing to log in with: no admin token and no API key', {
        exitCode: EXIT.usage,
        hint: 'pipe one in: printf %s "$TOKEN" | mypostshare login --server <url> --admin-token-stdin (or --api-key-stdin), or set MYPOSTSHARE_ADMIN_TOKEN / MYPOSTSHARE_API_KEY',
      });
    }
    adminToken =
      (await prompts.askSecret('Admin token (operators; leave empty to skip)', { optional: true })).trim() ||
      undefined;
    apiKey =
      (
        await prompts.askSecret('API key (mps_live_... or mps_test_...; leave empty to skip)', {
          optional: !!adminToken,
        })
      ).trim() || undefined;
  }

  const spinner = ctx.spinner(`Checking with ${server}`);
  try {
    await verify(ctx, server, adminToken, apiKey);
  } finally {
    spinner.stop();
  }

  const config = await readConfig(settings.configFile);
  const existing = config.profiles[name];
  // Logging in to another server starts the profile afresh: old credentials belong to the old one.
  const base: Profile = existing && existing.server === server ? existing : { server };
  const profile: Profile = {
    ...base,
    server,
    ...(adminToken ? { adminToken } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(options.app ? { app: options.app } : {}),
  };
  config.profiles[name] = profile;
  config.currentProfile = name;
  await writeConfig(settings.configFile, config);
  return {
    profile: name,
    server,
    adminToken: profile.adminToken !== undefined,
    apiKey: mask(profile.apiKey),
    app: profile.app ?? null,
  };
}

/**
 * `mypostshare login`: save a server and its credentials to a profile, after checking them.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineLogin(command: Command): void {
  command
    .option('--admin-token-stdin', 'read the admin token from stdin')
    .option('--api-key-stdin', 'read the API key from stdin')
    .addHelpText(
      'after',
      `
Secrets are never taken as arguments: type them at the prompt, pipe them on stdin, or set
MYPOSTSHARE_ADMIN_TOKEN / MYPOSTSHARE_API_KEY while running login.

Examples:
  mypostshare login                                   # asks for everything
  printf %s "$TOKEN" | mypostshare login --server http://localhost:8787 --admin-token-stdin
  mypostshare login --profile staging --server https://posts.example.com`,
    )
    .action(
      action(async (ctx) => {
        const result = await login(ctx, ctx.opts<LoginFlags>());
        ctx.print(result, (data) =>
          table([
            ['profile', data.profile],
            ['server', data.server],
            ['admin token', data.adminToken ? 'saved' : '-'],
            ['API key', data.apiKey ?? '-'],
            ['app', data.app ?? '-'],
          ]),
        );
        if (!result.app && result.adminToken) {
          ctx.hint('Next: `mypostshare apps create --sandbox` or `mypostshare apps use <id>`.');
        }
      }),
    );
}
