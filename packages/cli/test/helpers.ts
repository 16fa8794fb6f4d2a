import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowClient } from '../../server/test/connect/flow-client.js';
import type { TestServer } from '../../server/test/harness.js';

// The CLI's tests run the BUILT binary, as users do: `npm run build` (the root `prepare` script,
// so `npm ci` does it) must have run first. A stale build would test old code, so it is refused.

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_BIN = path.join(ROOT, 'packages/cli/dist/bin.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Throws unless the CLI (and the SDK and contract it imports) are built from the current sources. */
export function assertBuilt(): void {
  const builds: [string, string][] = [
    ['packages/cli/src', 'packages/cli/dist/bin.js'],
    ['packages/sdk/src', 'packages/sdk/dist/index.js'],
    ['packages/contract/src', 'packages/contract/dist/index.js'],
  ];
  for (const [source, output] of builds) {
    const built = path.join(ROOT, output);
    if (!fs.existsSync(built)) throw new Error(`${output} is missing: run \`npm run build\` first`);
    if (newestSource(path.join(ROOT, source)) > fs.statSync(built).mtimeMs) {
      throw new Error(`${output} is older than ${source}: run \`npm run build\` first`);
    }
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Parses a run's stdout as JSON (with the run in the message when it is not). */
export function json<T = any>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/**
 * A user's environment: a fresh config directory and HOME, no mypostshare variables inherited
 * from the test runner, no colour.
 */
export class Home {
  readonly dir: string;
  readonly env: Record<string, string>;

  constructor(extra: Record<string, string> = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-cli-home-'));
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && !/^(MYPOSTSHARE_|XDG_|BROWSER$|NO_COLOR$|FORCE_COLOR$)/.test(entry[0]),
      ),
    );
    this.env = {
      ...inherited,
      HOME: this.dir,
      XDG_CONFIG_HOME: path.join(this.dir, 'config'),
      NO_COLOR: '1',
      ...extra,
    };
  }

  get configFile(): string {
    return path.join(this.env.XDG_CONFIG_HOME!, 'mypostshare', 'config.json');
  }

  /** The profiles file, parsed. */
  config(): any {
    return JSON.parse(fs.readFileSync(this.configFile, 'utf8'));
  }

  /** Runs `mypostshare ...args` to completion. `input` is piped to stdin (else stdin is empty). */
  run(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliRun> {
    const child = this.spawn(args, options.env);
    child.stdin.end(options.input ?? '');
    return collectRun(child);
  }

  /** Starts `mypostshare ...args` in the background (connect, logs --follow, webhooks listen). */
  background(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Background {
    const child = this.spawn(args, options.env);
    if (options.input !== undefined) child.stdin.end(options.input);
    return new Background(child);
  }

  spawn(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: this.dir,
      env: { ...this.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function collectRun(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A CLI process left running, whose output can be awaited line by line. */
export class Background {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly done: Promise<CliRun>;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdout.on('data', (chunk) => {
      this.stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.done = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  /** Waits until `pattern` appears on the stream; resolves with the match. */
  async waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.done.then(() => {
      exited = true;
    });
    for (;;) {
      const match = this[stream].match(pattern);
      if (match) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${pattern} did not appear on ${stream}${exited ? ' (the process exited)' : ''}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends a signal (Ctrl-C is SIGINT) and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<CliRun> {
    this.child.kill(signal);
    return this.done;
  }
}

/**
 * Plays the end user's browser on a sandbox app's hosted flow: opens the connect URL, presses
 * continue, approves (or denies) on the simulated consent page, and follows the callback. Resolves
 * with where the browser lands.
 */
export async function completeSandboxConnect(
  server: TestServer,
  connectUrl: string,
  decision: 'approve' | 'deny' = 'approve',
): Promise<URL> {
  const browser = new FlowClient(server);
  const authorize = await browser.start(connectUrl);
  const callback = await browser.sandboxDecide(authorize, decision);
  let step = await browser.fetch(callback);
  const sessionPath = new URL(connectUrl).pathname;
  if (step.location?.includes(sessionPath)) {
    // Facebook and Instagram: take the first account of the picker.
    const picker = await browser.fetch(step.location);
    const account = /name="account" value="([^"]+)"/.exec(picker.text)?.[1];
    if (!account) throw new Error('no picker option');
    step = await browser.fetch(`${sessionPath}/select`, { form: { account } });
  }
  return new URL(step.location ?? 'http://invalid/');
}

/** The connect URL a running `mypostshare connect` printed on stderr. */
export async function connectUrlOf(run: Background): Promise<string> {
  const match = await run.waitFor('stderr', /Open this URL[^\n]*\n\s+(\S+)/);
  return match[1]!;
}
