import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

// The only module that imports @inquirer/prompts, and only when a prompt is about to be shown:
// loading it costs more than the rest of `mypostshare --help`. Prompts draw on stderr, so stdout
// keeps only the result.

type Inquirer = typeof import('@inquirer/prompts');

let inquirer: Promise<Inquirer> | undefined;
const load = () => {
  inquirer ??= import('@inquirer/prompts');
  return inquirer;
};
const context = () => ({ output: process.stderr });

/** Asks for a line of text. */
export async function askText(
  message: string,
  options: { default?: string; validate?: (value: string) => true | string } = {},
): Promise<string> {
  const { input } = await load();
  return input(
    {
      message,
      ...(options.default === undefined ? {} : { default: options.default }),
      ...(options.validate ? { validate: options.validate } : {}),
    },
    context(),
  );
}

/** Asks for a secret without echoing it. */
export async function askSecret(message: string, options: { optional?: boolean } = {}): Promise<string> {
  const { password } = await load();
  return password(
    {
      message,
      validate: (value: string) => options.optional || value.trim() !== '' || 'required',
    },
    context(),
  );
}

/** Asks a yes/no question. */
export async function askConfirm(message: string, defaultValue: boolean): Promise<boolean> {
  const { confirm } = await load();
  return confirm({ message, default: defaultValue }, context());
}

/** Asks to pick one of `choices`. */
export async function askSelect<T extends string>(
  message: string,
  choices: ReadonlyArray<{ value: T; name?: string }>,
): Promise<T> {
  const { select } = await load();
  return select<T>({ message, choices: choices.map((choice) => ({ ...choice })) }, context());
}

/** Asks to pick some of `choices` (at least one). */
export async function askCheckbox<T extends string>(
  message: string,
  choices: ReadonlyArray<{ value: T; name?: string; checked?: boolean }>,
): Promise<T[]> {
  const { checkbox } = await load();
  return checkbox<T>(
    { message, choices: choices.map((choice) => ({ ...choice })), required: true },
    context(),
  );
}

/**
 * Reads a secret piped on stdin (`printf %s "$SECRET" | mypostshare ...`): everything up to EOF,
 * without the trailing newline. Refuses a terminal, which would wait for typing without a prompt.
 */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError(`expected the ${what} on stdin, but stdin is a terminal`, {
      exitCode: EXIT.usage,
      hint: `pipe it in: printf %s "$VALUE" | mypostshare ...`,
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value.trim() === '') {
    throw new CliError(`nothing on stdin: expected the ${what}`, {
      exitCode: EXIT.usage,
      hint: `pipe it in: printf %s "$VALUE" | mypostshare ...`,
    });
  }
  return value;
}
