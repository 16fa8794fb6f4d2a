/** How a command was asked to print. */
export interface OutputOptions {
  json?: boolean | undefined;
}

/**
 * Whether to colour what goes to `stream`: only a terminal, never with `NO_COLOR` set
 * (https://no-color.org) or on a dumb terminal.
 */
export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** ANSI styles that turn into plain text when colour is off. */
export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const identity = (text: string) => text;

/** The styles for one stream. */
export function paint(stream: NodeJS.WriteStream): Paint {
  if (!colorEnabled(stream)) {
    return {
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
    };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Prints a command's result on stdout: the JSON value under `--json`, else the human rendering. */
export function printResult<T>(data: T, options: OutputOptions, human: (data: T) => string): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const text = human(data);
  if (text !== '') process.stdout.write(`${text}\n`);
}

/** Renders label/value rows as two aligned columns. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

// Escape sequences take no room on screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

/**
 * Renders records as a table with a header row. `empty` is printed when there are no rows.
 * Columns are `[header, value]` pairs; cells never wrap.
 */
export function columns<T>(
  items: readonly T[],
  spec: ReadonlyArray<readonly [string, (item: T) => string]>,
  empty: string,
): string {
  if (items.length === 0) return empty;
  const header = spec.map(([title]) => title);
  const rows = items.map((item) => spec.map(([, cell]) => cell(item).replace(/\s*\n\s*/g, ' ')));
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  );
  const style = paint(process.stdout);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)].join('\n');
}

/** An error on stderr: one line, plus how to fix it. The fix is part of the error, so it is always shown. */
export function printError(message: string, fix?: string): void {
  const style = paint(process.stderr);
  process.stderr.write(`${style.red('error:')} ${message}\n`);
  if (fix) process.stderr.write(`${style.dim('hint:')} ${fix}\n`);
}

/** A secret shortened to what recognises it: `mps_test_…f3a9`. */
export function mask(secret: string | undefined): string | null {
  if (!secret) return null;
  const prefix = /^(mps_(?:live|test)_|whsec_)/.exec(secret)?.[1] ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}

/** `yes`/`no` for a table cell. */
export const yesNo = (value: boolean) => (value ? 'yes' : 'no');
