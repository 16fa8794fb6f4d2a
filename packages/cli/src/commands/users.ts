import type { Connection, EndUser, EndUserWithSummary } from '@mypostshare/sdk';
import type { Command } from 'commander';
import { action } from '../context.js';
import { columns, table } from '../output.js';
import { formatTime } from '../time.js';
import { collect, jsonObject, type ListFlags, listOptions, pageQuery, platformName } from './common.js';

const userTable = (user: EndUser | EndUserWithSummary) =>
  table([
    ['id', user.id],
    ['external user id', user.externalUserId],
    ['name', user.displayName ?? '-'],
    ['email', user.email ?? '-'],
    ['metadata', JSON.stringify(user.metadata)],
    ...('connectionSummary' in user
      ? ([
          [
            'connections',
            `${user.connectionSummary.connected} connected, ${user.connectionSummary.expired} expired, ${user.connectionSummary.failed} failed`,
          ],
        ] as const)
      : []),
  ]);

/**
 * `mypostshare users ...`: end users and their connections (API key; `list` uses the admin token).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineUsers(users: Command): void {
  users
    .command('upsert')
    .argument('<externalUserId>', 'your own id for the user')
    .option('--name <displayName>', 'display name')
    .option('--email <email>', 'email, for operator visibility')
    .option('--metadata <json>', 'a JSON object to store with the user', jsonObject('--metadata'))
    .description('create an end user, or update the one with this id (fields left out are kept)')
    .action(
      action(async (ctx, externalUserId: string) => {
        const flags = ctx.opts<{ name?: string; email?: string; metadata?: Record<string, unknown> }>();
        const client = await ctx.client();
        const user = await client.endUsers.upsert({
          externalUserId,
          ...(flags.name === undefined ? {} : { displayName: flags.name }),
          ...(flags.email === undefined ? {} : { email: flags.email }),
          ...(flags.metadata === undefined ? {} : { metadata: flags.metadata }),
        });
        ctx.print(user, userTable);
        ctx.hint(`Next: \`mypostshare connect ${externalUserId} <platform>\`.`);
      }),
    );

  users
    .command('get')
    .argument('<externalUserId>', 'the user’s id')
    .description('show an end user and a count of their connections')
    .action(
      action(async (ctx, externalUserId: string) => {
        const client = await ctx.client();
        ctx.print(await client.endUsers.retrieve(externalUserId), userTable);
      }),
    );

  users
    .command('connections')
    .argument('<externalUserId>', 'the user’s id')
    .description("list the user's linked accounts")
    .action(
      action(async (ctx, externalUserId: string) => {
        const client = await ctx.client();
        const connections = await client.endUsers.listConnections(externalUserId);
        ctx.print(connections, (list: Connection[]) =>
          columns(
            list,
            [
              ['PLATFORM', (connection) => connection.platform],
              ['STATUS', (connection) => connection.status],
              [
                'ACCOUNT',
                (connection) =>
                  connection.remoteUsername ?? connection.displayName ?? connection.remoteAccountId,
              ],
              ['SINCE', (connection) => formatTime(connection.createdAt)],
              ['EXPIRES', (connection) => formatTime(connection.expiresAt)],
            ],
            `No connections: \`mypostshare connect ${externalUserId} <platform>\` links one.`,
          ),
        );
      }),
    );

  users
    .command('disconnect')
    .argument('<externalUserId>', 'the user’s id')
    .argument('<platform>', 'the platform to disconnect')
    .description("remove the user's connection to a platform")
    .action(
      action(async (ctx, externalUserId: string, platform: string) => {
        const name = platformName(platform);
        const client = await ctx.client();
        await client.endUsers.disconnect(externalUserId, name);
        ctx.print(
          { externalUserId, platform: name, disconnected: true },
          (data) => `Disconnected ${data.platform} for ${data.externalUserId}.`,
        );
      }),
    );

  users
    .command('delete')
    .argument('<externalUserId>', 'the user’s id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('erase an end user: their connections, and their personal data in stored posts')
    .action(
      action(async (ctx, externalUserId: string) => {
        const client = await ctx.client();
        await ctx.confirm(
          `Erase end user ${externalUserId}, their connections and their personal data?`,
          ctx.opts<{ yes?: boolean }>().yes,
        );
        await client.endUsers.delete(externalUserId);
        ctx.print({ externalUserId, deleted: true }, (data) => `Erased ${data.externalUserId}.`);
      }),
    );

  listOptions(users.command('list').description("list the app's end users (admin token)")).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListFlags>();
      const admin = await ctx.admin();
      const items = await collect(ctx, admin.endUsers.list(await ctx.appId(), pageQuery(flags)), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['EXTERNAL USER ID', (user) => user.externalUserId],
            ['NAME', (user) => user.displayName ?? '-'],
            ['CONNECTED', (user) => String(user.connectionSummary.connected)],
            ['CREATED', (user) => formatTime(user.createdAt)],
          ],
          'No end users yet: `mypostshare users upsert <id>` creates one.',
        ),
      );
    }),
  );
}
