import type { App } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, table, yesNo } from '../output.js';
import { formatTime } from '../time.js';
import { collect, type ListFlags, listOptions, pageQuery } from './common.js';

const appTable = (app: App) =>
  table([
    ['id', app.id],
    ['name', app.name],
    ['sandbox', yesNo(app.sandbox)],
    ['created', formatTime(app.createdAt)],
  ]);

/** Makes `appId` the app of the selected profile (created for this server if need be). */
async function useApp(ctx: Context, appId: string): Promise<string> {
  return ctx.saveProfile((profile) => ({ ...profile, app: appId }));
}

interface CreateFlags {
  sandbox?: boolean;
  use?: boolean;
}

async function createApp(ctx: Context, nameArgument: string | undefined, flags: CreateFlags): Promise<App> {
  const admin = await ctx.admin();
  let name = nameArgument;
  let sandbox = flags.sandbox;
  if (name === undefined || sandbox === undefined) {
    if (ctx.interactive) {
      const { askConfirm, askText } = await import('../prompts.js');
      name ??= await askText('App name', {
        validate: (value) => value.trim() !== '' || 'an app needs a name',
      });
      sandbox ??= await askConfirm('Sandbox app (simulated providers, mps_test_ keys)?', true);
    } else if (name === undefined) {
      throw new CliError('missing the app name', {
        exitCode: EXIT.usage,
        hint: 'mypostshare apps create <name> [--sandbox]',
      });
    }
  }
  return admin.apps.create({ name: name.trim(), sandbox: sandbox ?? false });
}

/**
 * `mypostshare apps ...`: the server's apps (admin token).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineApps(apps: Command): void {
  apps
    .command('create')
    .argument('[name]', 'app name (asked for at a terminal)')
    .description('create an app and make it the profile’s current app')
    .option('--sandbox', 'a sandbox app: simulated providers, mps_test_ keys')
    .option('--no-sandbox', 'a live app (the default without a terminal)')
    .option('--no-use', 'do not make it the profile’s current app')
    .action(
      action(async (ctx, name: string | undefined) => {
        const flags = ctx.opts<CreateFlags>();
        const app = await createApp(ctx, name, flags);
        const settings = await ctx.settings();
        // Only a saved profile for this server follows the new app: flags and environment variables
        // are the user's to change.
        if (flags.use !== false && settings.profileApplies && settings.app?.source !== '--app') {
          const profile = await useApp(ctx, app.id);
          ctx.hint(`Profile "${profile}" now uses app ${app.id}. Next: \`mypostshare keys create --save\`.`);
        } else {
          ctx.hint(`Pass --app ${app.id} to act on it, or run \`mypostshare apps use ${app.id}\`.`);
        }
        ctx.print(app, appTable);
      }),
    );

  listOptions(apps.command('list').description('list the apps, newest first')).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListFlags>();
      const admin = await ctx.admin();
      const settings = await ctx.settings();
      const items = await collect(ctx, admin.apps.list(pageQuery(flags)), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['', (app) => (app.id === settings.app?.value ? '*' : ' ')],
            ['ID', (app) => app.id],
            ['NAME', (app) => app.name],
            ['SANDBOX', (app) => yesNo(app.sandbox)],
            ['CREATED', (app) => formatTime(app.createdAt)],
          ],
          'No apps yet: `mypostshare apps create <name> --sandbox` creates one.',
        ),
      );
    }),
  );

  apps
    .command('show')
    .argument('[appId]', 'app id (default: the current app)')
    .description('show an app')
    .action(
      action(async (ctx, appId: string | undefined) => {
        const admin = await ctx.admin();
        const app = await admin.apps.retrieve(appId ?? (await ctx.appId()));
        ctx.print(app, appTable);
      }),
    );

  apps
    .command('rename')
    .argument('<appId>', 'app id')
    .argument('<name>', 'new name')
    .description('rename an app')
    .action(
      action(async (ctx, appId: string, name: string) => {
        const admin = await ctx.admin();
        ctx.print(await admin.apps.update(appId, { name }), appTable);
      }),
    );

  apps
    .command('use')
    .argument('<appId>', 'app id')
    .description('make an app the profile’s current app')
    .action(
      action(async (ctx, appId: string) => {
        const admin = await ctx.admin();
        const app = await admin.apps.retrieve(appId);
        const profile = await useApp(ctx, app.id);
        ctx.print(
          { profile, app },
          (data) => `Profile "${data.profile}" now uses app ${data.app.name} (${data.app.id}).`,
        );
      }),
    );

  apps
    .command('delete')
    .argument('<appId>', 'app id')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete an app and everything it owns (keys, end users, connections, posts)')
    .action(
      action(async (ctx, appId: string) => {
        const admin = await ctx.admin();
        const app = await admin.apps.retrieve(appId);
        await ctx.confirm(
          `Delete app "${app.name}" (${app.id}) with all its keys, end users, connections and posts?`,
          ctx.opts<{ yes?: boolean }>().yes,
        );
        await admin.apps.delete(app.id);
        const settings = await ctx.settings();
        if (settings.profile?.app === app.id && settings.profileApplies) {
          await ctx.saveProfile(({ app: _deleted, ...rest }) => rest);
        }
        ctx.print({ id: app.id, deleted: true }, (data) => `Deleted app ${data.id}.`);
      }),
    );
}
