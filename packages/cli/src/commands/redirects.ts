import type { RedirectUri } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, table } from '../output.js';
import { formatTime } from '../time.js';
import { collect, type ListFlags, listOptions, pageQuery } from './common.js';

/** The entry an id or an exact URI names. */
async function findRedirect(ctx: Context, appId: string, idOrUri: string): Promise<RedirectUri> {
  const admin = await ctx.admin();
  for await (const entry of admin.redirectUris.list(appId, { limit: 200 })) {
    if (entry.id === idOrUri || entry.uri === idOrUri) return entry;
  }
  throw new CliError(`no redirect URI ${idOrUri} in app ${appId}`, {
    exitCode: EXIT.notFound,
    hint: '`mypostshare redirects list` lists them',
  });
}

/**
 * `mypostshare redirects ...`: an app's allowlisted redirect URIs (admin token).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineRedirects(redirects: Command): void {
  redirects
    .command('add')
    .argument('<uri>', 'absolute https URL (http only for localhost/127.0.0.1/[::1])')
    .description('allowlist a redirect URI (exact match: scheme, host, port and path)')
    .action(
      action(async (ctx, uri: string) => {
        const admin = await ctx.admin();
        const entry = await admin.redirectUris.add(await ctx.appId(), { uri });
        ctx.print(entry, (data) =>
          table([
            ['id', data.id],
            ['uri', data.uri],
          ]),
        );
      }),
    );

  listOptions(redirects.command('list').description('list the allowlisted redirect URIs')).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListFlags>();
      const admin = await ctx.admin();
      const items = await collect(ctx, admin.redirectUris.list(await ctx.appId(), pageQuery(flags)), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['ID', (entry) => entry.id],
            ['URI', (entry) => entry.uri],
            ['ADDED', (entry) => formatTime(entry.createdAt)],
          ],
          'No redirect URIs yet (the server’s own /connect/complete is always allowed).',
        ),
      );
    }),
  );

  redirects
    .command('remove')
    .argument('<idOrUri>', 'the entry’s id, or the URI itself')
    .description('remove a redirect URI from the allowlist')
    .action(
      action(async (ctx, idOrUri: string) => {
        const admin = await ctx.admin();
        const appId = await ctx.appId();
        const entry = await findRedirect(ctx, appId, idOrUri);
        await admin.redirectUris.remove(appId, entry.id);
        ctx.print({ ...entry, removed: true }, (data) => `Removed ${data.uri}.`);
      }),
    );
}
