import type { CredentialSetting } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, table } from '../output.js';
import type { PlatformName } from '../platforms.js';
import { platformName, platformOrPrompt } from './common.js';

const settingTable = (setting: CredentialSetting) =>
  table([
    ['platform', setting.platform],
    ['mode', setting.mode],
    ['client id', setting.clientId ?? '-'],
    ['callback URL', setting.callbackUrl],
  ]);

/**
 * The client secret: piped on stdin, or typed at a hidden prompt. Never an argument, which would
 * land in the shell history and the process list.
 */
async function readClientSecret(ctx: Context, platform: PlatformName): Promise<string> {
  const prompts = await import('../prompts.js');
  if (!process.stdin.isTTY) return prompts.readStdinSecret('client secret');
  if (!ctx.interactive) {
    throw new CliError('the client secret is read from stdin or a hidden prompt, never from an argument', {
      exitCode: EXIT.usage,
      hint: `pipe it in: printf %s "$CLIENT_SECRET" | mypostshare credentials set ${platform} --client-id <id>`,
    });
  }
  return prompts.askSecret(`${platform} client secret`);
}

async function setCredentials(
  ctx: Context,
  platformArgument: string | undefined,
  flags: { clientId?: string; managed?: boolean },
): Promise<CredentialSetting> {
  const admin = await ctx.admin();
  const appId = await ctx.appId();
  const platform = await platformOrPrompt(ctx, platformArgument);
  if (flags.managed) {
    if (flags.clientId) {
      throw new CliError('--managed and --client-id do not go together', { exitCode: EXIT.usage });
    }
    return admin.credentials.set(appId, platform, { mode: 'managed' });
  }
  let clientId = flags.clientId;
  if (clientId === undefined) {
    if (!ctx.interactive) {
      throw new CliError('missing --client-id (or --managed for the operator’s credentials)', {
        exitCode: EXIT.usage,
      });
    }
    const { askText } = await import('../prompts.js');
    clientId = await askText(`${platform} client id`, {
      validate: (value) => value.trim() !== '' || 'required',
    });
  }
  const clientSecret = await readClientSecret(ctx, platform);
  return admin.credentials.set(appId, platform, { mode: 'custom', clientId: clientId.trim(), clientSecret });
}

/**
 * `mypostshare credentials ...`: per platform, the app's own OAuth client or the managed one (admin token).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineCredentials(credentials: Command): void {
  credentials
    .command('set')
    .argument('[platform]', 'linkedin, facebook, instagram, twitter or youtube (asked for at a terminal)')
    .option('--client-id <id>', 'the OAuth client id (asked for at a terminal)')
    .option('--managed', "use the operator's managed credentials instead")
    .description('set a platform’s OAuth client; the secret comes from a hidden prompt or stdin')
    .addHelpText(
      'after',
      `
The client secret is never an argument: type it at the hidden prompt, or pipe it in:
  printf %s "$LINKEDIN_SECRET" | mypostshare credentials set linkedin --client-id 86abc`,
    )
    .action(
      action(async (ctx, platform: string | undefined) => {
        const setting = await setCredentials(
          ctx,
          platform,
          ctx.opts<{ clientId?: string; managed?: boolean }>(),
        );
        ctx.print(setting, settingTable);
        ctx.hint(
          `Register ${setting.callbackUrl} as the redirect URL in the ${setting.platform} developer console.`,
        );
      }),
    );

  credentials
    .command('show')
    .argument('[platform]', 'one platform (default: all five)')
    .description('show each platform’s mode, client id and the callback URL to register (never secrets)')
    .action(
      action(async (ctx, platform: string | undefined) => {
        const admin = await ctx.admin();
        const list = await admin.credentials.list(await ctx.appId());
        if (platform !== undefined) {
          const name = platformName(platform);
          const setting = list.find((entry) => entry.platform === name);
          if (!setting) throw new CliError(`no credentials entry for ${name}`, { exitCode: EXIT.notFound });
          ctx.print(setting, settingTable);
          return;
        }
        ctx.print(list, (items) =>
          columns(
            items,
            [
              ['PLATFORM', (entry) => entry.platform],
              ['MODE', (entry) => entry.mode],
              ['CLIENT ID', (entry) => entry.clientId ?? '-'],
              ['CALLBACK URL', (entry) => entry.callbackUrl],
            ],
            'No platforms.',
          ),
        );
      }),
    );

  credentials
    .command('remove')
    .argument('<platform>', 'the platform to return to managed credentials')
    .description("forget the app's own client for a platform (back to managed)")
    .action(
      action(async (ctx, platform: string) => {
        const name = platformName(platform);
        const admin = await ctx.admin();
        const appId = await ctx.appId();
        await admin.credentials.reset(appId, name);
        const setting = (await admin.credentials.list(appId)).find((entry) => entry.platform === name);
        ctx.print(
          setting ?? { platform: name, mode: 'managed' },
          (data) => `${data.platform} now uses the managed credentials.`,
        );
      }),
    );
}
