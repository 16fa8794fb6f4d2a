import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { PLATFORMS, type PlatformName } from '../platforms.js';

// Small pieces several commands share. Nothing here may import the SDK, the contract or inquirer
// at the top: a command's module loads whenever the command is named, `<command> --help` included.

/** Commander parser for a whole number option within bounds. */
export function integer(option: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new CliError(`${option} must be a whole number from ${min} to ${max}, got "${value}"`, {
        exitCode: EXIT.usage,
      });
    }
    return number;
  };
}

/** Commander collector for a repeatable option (`--platform a --platform b`, or `a,b`). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** Checks a platform name. */
export function platformName(value: string, what = 'platform'): PlatformName {
  const name = value.trim().toLowerCase();
  if (!(PLATFORMS as readonly string[]).includes(name)) {
    throw new CliError(`unknown ${what} "${value}"`, {
      exitCode: EXIT.usage,
      hint: `one of: ${PLATFORMS.join(', ')}`,
    });
  }
  return name as PlatformName;
}

/** Checks a value against a closed list. */
export function oneOf<T extends string>(option: string, list: readonly T[]) {
  return (value: string): T => {
    if (!(list as readonly string[]).includes(value)) {
      throw new CliError(`${option} must be one of ${list.join(', ')}, got "${value}"`, {
        exitCode: EXIT.usage,
      });
    }
    return value as T;
  };
}

/** A platform given as an argument, or picked at a prompt. */
export async function platformOrPrompt(ctx: Context, value: string | undefined): Promise<PlatformName> {
  if (value !== undefined) return platformName(value);
  if (!ctx.interactive) {
    throw new CliError('missing the platform argument', {
      exitCode: EXIT.usage,
      hint: `one of: ${PLATFORMS.join(', ')}`,
    });
  }
  const { askSelect } = await import('../prompts.js');
  return askSelect(
    'Which platform?',
    PLATFORMS.map((platform) => ({ value: platform })),
  );
}

/** `--limit`, `--cursor` and `--all` on a list command. */
export function listOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'items per page (1-200, default 50)', integer('--limit', 1, 200))
    .option('--cursor <cursor>', 'start at this page (from a previous listing)')
    .option('--all', 'fetch every page');
}

export interface ListFlags {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

interface PageLike<T> {
  data: T[];
  nextCursor: string | undefined;
}

/**
 * The items of a list call: its first page, or with `--all` every page. Hints (on a terminal) at
 * how to get the next page when there is one.
 */
export async function collect<T>(
  ctx: Context,
  list: PromiseLike<PageLike<T>> & AsyncIterable<T>,
  flags: ListFlags,
): Promise<T[]> {
  if (flags.all) {
    const items: T[] = [];
    for await (const item of list) items.push(item);
    return items;
  }
  const page = await list;
  if (page.nextCursor) ctx.hint(`more: run again with --cursor ${page.nextCursor}, or --all`);
  return page.data;
}

/** The pagination query of `flags`, without undefined values. */
export function pageQuery(flags: ListFlags): { limit?: number; cursor?: string } {
  return {
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
  };
}

/** Parses a `--metadata` JSON object. */
export function jsonObject(option: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CliError(`${option} must be a JSON object such as '{"plan":"pro"}'`, {
        exitCode: EXIT.usage,
      });
    }
    return parsed as Record<string, unknown>;
  };
}
