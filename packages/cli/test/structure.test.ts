import fs from 'node:fs';
import path from 'node:path';
import { PLATFORMS, PostStatus, WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus } from '@mypostshare/contract';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import * as cli from '../src/platforms.js';
import { buildProgram } from '../src/program.js';
import { assertBuilt, CLI_BIN, ROOT } from './helpers.js';

// Promises the other tests rest on, checked on the build and the sources.

beforeAll(() => {
  assertBuilt();
});

/** The files `node dist/bin.js --help` loads: bin.js and every chunk it imports statically. */
function eagerFiles(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const text = fs.readFileSync(file, 'utf8');
    files.set(file, text);
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.\/[^"]+)"/gm)) {
      visit(path.join(path.dirname(file), match[1]!));
    }
    for (const match of text.matchAll(/^import\s+"(\.\/[^"]+)"/gm))
      visit(path.join(path.dirname(file), match[1]!));
  };
  visit(entry);
  return files;
}

describe('start-up', () => {
  it('loads no heavy module on start: the SDK, the contract, zod and inquirer are imported lazily', () => {
    const files = eagerFiles(CLI_BIN);
    const staticImports = [...files.values()].flatMap((text) =>
      [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^".][^"]*)"/gm)].map((match) => match[1]),
    );
    expect(new Set(staticImports)).toEqual(new Set(['commander', 'fs/promises', 'os', 'path']));
    // They are still there, behind import().
    const all = [...files.values()].join('\n');
    for (const lazy of [
      '@mypostshare/sdk',
      '@mypostshare/sdk/admin',
      '@mypostshare/contract',
      'zod',
      '@inquirer/prompts',
    ]) {
      expect(all).toContain(`import("${lazy}")`);
    }
  });
});

describe('the CLI’s copies of the contract’s lists', () => {
  it('match the contract', () => {
    expect(cli.PLATFORMS).toEqual(PLATFORMS);
    expect(cli.WEBHOOK_EVENT_TYPES).toEqual(WEBHOOK_EVENT_TYPES);
    expect(cli.POST_STATUSES).toEqual(PostStatus.options);
    expect(cli.WEBHOOK_DELIVERY_STATUSES).toEqual(WebhookDeliveryStatus.options);
  });
});

describe('docs/api.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
  const cells = doc
    .split('\n')
    .filter((line) => /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|/.test(line))
    .map((line) => line.split('|').slice(1, -1).at(-1)!.trim());

  /** Follows `words` down the program's commands; undefined when one does not exist. */
  function find(words: string[]): Command | undefined {
    let command: Command | undefined = buildProgram();
    for (const word of words) command = command?.commands.find((candidate) => candidate.name() === word);
    return command;
  }

  it('names a CLI command for every endpoint, and each exists', () => {
    expect(cells.length).toBeGreaterThan(40);
    for (const cell of cells) {
      const match = /^`mypostshare ([a-z -]+)`$/.exec(cell);
      expect(match, `CLI cell "${cell}"`).not.toBeNull();
      // `mypostshare post --at`: the command, then the option that picks the endpoint.
      const words = match![1]!.split(' ');
      const command = find(words.filter((word) => !word.startsWith('--')));
      for (const flag of words.filter((word) => word.startsWith('--'))) {
        const known = [...(command?.options ?? []), ...buildProgram().options].map((option) => option.long);
        expect(known, `${cell}: ${flag}`).toContain(flag);
      }
      expect(command, cell).toBeDefined();
      // A leaf, not a group: it does something.
      expect(
        command!.commands.filter((sub) => sub.name() !== 'help'),
        cell,
      ).toEqual([]);
    }
  });
});
