import type { ApiKey, CreatedApiKey } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, mask, table } from '../output.js';
import { formatTime } from '../time.js';
import { collect, type ListFlags, listOptions, pageQuery } from './common.js';

/** What `keys create --save` prints: the key went to the profile, so it is not printed. */
export type SavedApiKey = ApiKey & { appId: string; savedTo: string };

/**
 * `mypostshare keys ...`: an app's API keys (admin token).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineKeys(keys: Command): void {
  keys
    .command('create')
    .description('issue an API key (shown once), or --save it to the profile instead of printing it')
    .option('--name <name>', 'a label for the key')
    .option('--save', 'save the key to the profile (with the app) instead of printing it')
    .action(
      action(async (ctx) => {
        const flags = ctx.opts<{ name?: string; save?: boolean }>();
        const settings = await ctx.settings();
        if (flags.save && settings.profile && !settings.profileApplies) {
          throw new CliError(
            `profile "${settings.profileName}" is for ${settings.profile.server}, not ${settings.server}`,
            {
              exitCode: EXIT.usage,
              hint: `pass --profile <new name> to save a profile for ${settings.server}`,
            },
          );
        }
        const admin = await ctx.admin();
        const appId = await ctx.appId();
        const created = await admin.apiKeys.create(appId, flags.name ? { name: flags.name } : {});
        if (!flags.save) {
          ctx.print(created, (key: CreatedApiKey) =>
            table([
              ['id', key.id],
              ['name', key.name ?? '-'],
              ['key', key.key],
            ]),
          );
          ctx.hint('The key is shown this once: store it now (or use --save next time).');
          return;
        }
        const profile = await ctx.saveProfile((current) => ({ ...current, apiKey: created.key, app: appId }));
        const { key: _secret, ...listed } = created;
        const saved: SavedApiKey = { ...listed, appId, savedTo: profile };
        ctx.print(saved, (key) =>
          table([
            ['id', key.id],
            ['name', key.name ?? '-'],
            ['key', `${mask(created.key)} (saved to profile "${key.savedTo}")`],
          ]),
        );
      }),
    );

  listOptions(keys.command('list').description("list the app's keys (prefix and last four only)")).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListFlags>();
      const admin = await ctx.admin();
      const items = await collect(ctx, admin.apiKeys.list(await ctx.appId(), pageQuery(flags)), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['ID', (key) => key.id],
            ['NAME', (key) => key.name ?? '-'],
            ['KEY', (key) => `${key.prefix}…${key.last4}`],
            ['CREATED', (key) => formatTime(key.createdAt)],
            ['REVOKED', (key) => formatTime(key.revokedAt)],
          ],
          'No keys yet: `mypostshare keys create --save` issues one.',
        ),
      );
    }),
  );

  keys
    .command('revoke')
    .argument('<keyId>', 'key id (from `keys list`)')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('revoke a key; it stops working at once')
    .action(
      action(async (ctx, keyId: string) => {
        const admin = await ctx.admin();
        const appId = await ctx.appId();
        await ctx.confirm(
          `Revoke API key ${keyId}? Requests with it fail from now on.`,
          ctx.opts<{ yes?: boolean }>().yes,
        );
        await admin.apiKeys.revoke(appId, keyId);
        ctx.print({ id: keyId, revoked: true }, (data) => `Revoked key ${data.id}.`);
      }),
    );
}
