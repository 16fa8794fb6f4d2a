import type { Command } from 'commander';
import { configPath, readConfig, writeConfig } from '../config.js';
import { action } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, mask } from '../output.js';

/** A profile as `profiles list` shows it: which secrets it holds, never the secrets. */
export interface ProfileSummary {
  name: string;
  current: boolean;
  server: string;
  adminToken: boolean;
  apiKey: string | null;
  app: string | null;
}

function missing(name: string, file: string): CliError {
  return new CliError(`there is no profile "${name}" in ${file}`, {
    exitCode: EXIT.notFound,
    hint: '`mypostshare profiles list` lists them; `mypostshare login --profile <name>` creates one',
  });
}

/**
 * `mypostshare profiles list|use|remove`: the saved servers and credentials.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineProfiles(profiles: Command): void {
  profiles
    .command('list')
    .description('list the profiles; the current one is marked')
    .action(
      action(async (ctx) => {
        const file = configPath(ctx.env);
        const config = await readConfig(file);
        const list: ProfileSummary[] = Object.entries(config.profiles).map(([name, profile]) => ({
          name,
          current: name === config.currentProfile,
          server: profile.server,
          adminToken: profile.adminToken !== undefined,
          apiKey: mask(profile.apiKey),
          app: profile.app ?? null,
        }));
        ctx.print(list, (items) =>
          columns(
            items,
            [
              ['', (item) => (item.current ? '*' : ' ')],
              ['NAME', (item) => item.name],
              ['SERVER', (item) => item.server],
              ['ADMIN TOKEN', (item) => (item.adminToken ? 'yes' : '-')],
              ['API KEY', (item) => item.apiKey ?? '-'],
              ['APP', (item) => item.app ?? '-'],
            ],
            'No profiles yet: run `mypostshare login`.',
          ),
        );
      }),
    );

  profiles
    .command('use')
    .argument('<name>', 'profile name')
    .description('make a profile the current one')
    .action(
      action(async (ctx, name: string) => {
        const file = configPath(ctx.env);
        const config = await readConfig(file);
        const profile = config.profiles[name];
        if (!profile) throw missing(name, file);
        config.currentProfile = name;
        await writeConfig(file, config);
        ctx.print(
          { current: name, server: profile.server },
          (data) => `Now using profile "${data.current}" (${data.server}).`,
        );
      }),
    );

  profiles
    .command('remove')
    .argument('<name>', 'profile name')
    .description('delete a profile and the credentials saved in it')
    .action(
      action(async (ctx, name: string) => {
        const file = configPath(ctx.env);
        const config = await readConfig(file);
        if (!config.profiles[name]) throw missing(name, file);
        delete config.profiles[name];
        if (config.currentProfile === name) config.currentProfile = Object.keys(config.profiles)[0];
        await writeConfig(file, config);
        ctx.print(
          { removed: name, current: config.currentProfile ?? null },
          (data) => `Removed profile "${data.removed}".`,
        );
      }),
    );
}
