import type { Command } from 'commander';
import { action } from '../context.js';
import { columns, yesNo } from '../output.js';

/**
 * `mypostshare platforms`: each platform's limits and capabilities (API key).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function definePlatforms(command: Command): void {
  command.action(
    action(async (ctx) => {
      const client = await ctx.client();
      const platforms = await client.platforms.list();
      ctx.print(platforms, (list) =>
        columns(
          list,
          [
            ['PLATFORM', (info) => info.platform],
            ['TEXT', (info) => `${info.maxTextLength} ${info.textLengthUnit.replace('_', ' ')}`],
            [
              'MEDIA',
              (info) => `${info.requiresMedia ? 'required' : 'optional'}, up to ${info.maxMediaCount}`,
            ],
            ['TITLE', (info) => (info.requiresTitle ? 'required' : yesNo(info.supportsTitle))],
            ['OPTIONS', (info) => info.options.join(', ') || '-'],
          ],
          'No platforms.',
        ),
      );
    }),
  );
}
