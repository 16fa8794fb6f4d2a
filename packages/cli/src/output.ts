/** How a command was asked to print. */
export interface OutputOptions {
  json?: boolean | undefined;
}

/** Prints a command's result on stdout: the JSON value under `--json`, else the human rendering. */
export function printResult<T>(data: T, options: OutputOptions, human: (data: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human(data)}\n`);
}

/** Renders label/value rows as two aligned columns. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** An error on stderr: one line, plus how to fix it. The fix is part of the error, so it is always shown. */
export function printError(message: string, fix?: string): void {
  process.stderr.write(`error: ${message}\n`);
  if (fix) process.stderr.write(`hint: ${fix}\n`);
}
