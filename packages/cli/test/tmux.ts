import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI_BIN, type Home } from './helpers.js';

/** Whether tmux can be used here (the interactive tests are skipped without it). */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * The CLI in a real pseudo-terminal: a detached tmux session on a private socket, driven with
 * `send-keys` and read with `capture-pane`, as a person at a terminal would. stdout goes to a file
 * (so the result can be read apart from the prompts); stdin and stderr are the terminal.
 */
export class TerminalSession {
  readonly socket: string;
  readonly name = 'cli';
  readonly stdoutFile: string;
  readonly #home: Home;

  constructor(home: Home, args: string[], env: Record<string, string> = {}) {
    this.#home = home;
    const dir = fs.mkdtempSync(path.join(home.dir, 'tty-'));
    this.socket = path.join(dir, 'tmux.sock');
    this.stdoutFile = path.join(dir, 'stdout');
    const script = path.join(dir, 'run.sh');
    const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
    // The test runner may set CI, which turns prompts off: this is a person at a terminal, unless
    // the test asks for CI itself.
    const { CI: _runnerCI, ...inherited } = home.env;
    const variables = { ...inherited, ...env, TERM: 'xterm-256color' };
    fs.writeFileSync(
      script,
      [
        '#!/bin/sh',
        'unset CI',
        ...Object.entries(variables)
          .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          .map(([name, value]) => `export ${name}=${quote(value)}`),
        `${quote(process.execPath)} ${quote(CLI_BIN)} ${args.map(quote).join(' ')} > ${quote(this.stdoutFile)}`,
        'echo "[exit $?]"',
        // Keep the pane open so the end of the session can be read.
        'sleep 600',
      ].join('\n'),
      { mode: 0o755 },
    );
    this.#tmux(['new-session', '-d', '-s', this.name, '-x', '150', '-y', '40', script]);
  }

  #tmux(args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** What the terminal shows now; with `escapes`, its colours as ANSI sequences too. */
  screen(escapes = false): string {
    return this.#tmux(['capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-t', this.name]);
  }

  /** Waits until the screen matches `pattern`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`${pattern} did not appear on the terminal:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Types text literally. */
  type(text: string): void {
    this.#tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** Presses keys by tmux name: `Enter`, `Down`, `C-c`, `y`... */
  press(...keys: string[]): void {
    this.#tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Waits for the CLI to exit; resolves with its exit code and stdout. */
  async exit(timeoutMs = 20_000): Promise<{ code: number; stdout: string; screen: string }> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs);
    const code = Number(/\[exit (\d+)\]/.exec(screen)![1]);
    return { code, stdout: fs.readFileSync(this.stdoutFile, 'utf8'), screen };
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
  }

  get home(): Home {
    return this.#home;
  }
}
