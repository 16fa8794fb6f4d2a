import fs from 'node:fs';
import path from 'node:path';
import { PLATFORMS, PostStatus, WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus } from '@mypostshare/contract';
import { Command, Help } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import * as cli from '../src/platforms.js';
import { buildFullProgram, buildProgram } from '../src/program.js';
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

/** The CLI sources a built file was made from, per its source map (`src/program.ts`, ...). */
function sourcesOf(file: string): string[] {
  const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((source) =>
    path.relative(path.join(ROOT, 'packages/cli'), path.resolve(path.dirname(file), source)),
  );
}

describe('start-up', () => {
  it('loads no heavy module on start: the SDK, the contract, zod and inquirer are imported lazily', () => {
    const files = eagerFiles(CLI_BIN);
    const texts = [...files.values()];
    const staticImports = texts.flatMap((text) =>
      // `import ... from "x"`, `export ... from "x"` and bare `import "x"`; not the chunks (`./`).
      [...text.matchAll(/^(?:import|export)\s(?:[^;"]*?from\s+)?"([^".][^"]*)"/gm)].map((match) => match[1]),
    );
    // Commander is bundled (CommonJS): its require() calls run on start too.
    const requires = texts.flatMap((text) =>
      [...text.matchAll(/\b__require\("([^"]+)"\)/g)].map((match) => match[1]),
    );
    expect(new Set([...staticImports, ...requires])).toEqual(
      new Set(['node:module', 'fs/promises', 'os', 'path', 'events', 'child_process', 'fs', 'process']),
    );
    // They are still there, behind import().
    const all = fs
      .readdirSync(path.dirname(CLI_BIN))
      .filter((name) => name.endsWith('.js'))
      .map((name) => fs.readFileSync(path.join(path.dirname(CLI_BIN), name), 'utf8'))
      .join('\n');
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

  it('loads no command module on start: `mypostshare --help` lists them from the command table', () => {
    const sources = [...eagerFiles(CLI_BIN).keys()].flatMap(sourcesOf);
    expect(sources.filter((source) => source.startsWith('src/')).sort()).toEqual([
      'src/bin.ts',
      'src/command-table.ts',
      'src/config.ts',
      'src/errors.ts',
      'src/exit-codes.ts',
      'src/output.ts',
      'src/program.ts',
    ]);
  });
});

describe('the command table', () => {
  it('matches the command modules: names, descriptions and signatures', async () => {
    const program = await buildFullProgram();
    const help = new Help();
    expect(program.commands.map((command) => command.name())).toEqual(COMMANDS.map((entry) => entry.name));
    for (const entry of COMMANDS) {
      const command = program.commands.find((candidate) => candidate.name() === entry.name)!;
      // The listing `mypostshare --help` shows; fix the entry's `signature` when this fails.
      expect(help.subcommandTerm(command), entry.name).toBe(
        help.subcommandTerm(new Command(entry.name).aliases(entry.aliases ?? [])) +
          (entry.signature ? ` ${entry.signature}` : ''),
      );
      expect(command.aliases(), entry.name).toEqual(entry.aliases ?? []);
      expect(command.description(), entry.name).toBe(entry.description);
    }
  });

  it('gives `mypostshare --help` the same text without loading the commands', async () => {
    const listed = await buildProgram(['--help']);
    // Not loaded: no subcommands, options or arguments yet.
    expect(
      listed.commands.flatMap((command) => [
        ...command.commands,
        ...command.options,
        ...command.registeredArguments,
      ]),
    ).toEqual([]);
    expect(listed.helpInformation()).toBe((await buildFullProgram()).helpInformation());
  });

  it('completes the commands the arguments name, and only those', async () => {
    const program = await buildProgram(['--profile', 'staging', 'apps', 'list', '--json']);
    const complete = program.commands.filter(
      (command) => command.commands.length + command.options.length > 0,
    );
    expect(complete.map((command) => command.name())).toEqual(['apps']);
    expect(complete[0]!.commands.map((command) => command.name())).toContain('list');
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

  let program: Command;
  beforeAll(async () => {
    program = await buildFullProgram();
  });

  /** Follows `words` down the program's commands; undefined when one does not exist. */
  function find(words: string[]): Command | undefined {
    let command: Command | undefined = program;
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
        const known = [...(command?.options ?? []), ...program.options].map((option) => option.long);
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
