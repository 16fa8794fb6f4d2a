import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FlowClient } from '../connect/flow-client.js';
import { type FakeProvider, startFakeProvider } from '../fake-provider.js';
import { type TestServer, testDatabaseEnv } from '../harness.js';

/*
 * The server as real child processes (main.ts through tsx) for the crash and multi-process tests:
 * start, wait (never hang), call the API, connect a live LinkedIn user through the fake provider,
 * and clean up. Module state is per test file (vitest isolates files).
 */

type FakeClients = Parameters<typeof startFakeProvider>[0];

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface MainProcess {
  name: string;
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  exited: Promise<void>;
  stdout(): string;
  stderr(): string;
}

/** Every process started, every temporary directory, and the fake provider: cleaned up by `cleanUp`. */
export const processes: MainProcess[] = [];
export const tempDirs: string[] = [];
let fake: FakeProvider | undefined;
let settings = { adminToken: '', appName: 'Process test', clients: undefined as unknown as FakeClients };

/** What the helpers below use: the admin token the processes get, the app name, the fake's clients. */
export function configureProcesses(options: {
  adminToken: string;
  appName: string;
  clients: FakeClients;
}): void {
  settings = options;
}

/** Starts the fake provider the processes talk to (LinkedIn and X, see test/fake-provider.ts). */
export async function startFake(): Promise<FakeProvider> {
  fake = await startFakeProvider(settings.clients);
  return fake;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** What every process printed last, for failure messages. */
export function tails(): string {
  return processes
    .map(
      (proc) =>
        `--- ${proc.name} (exit ${proc.child.exitCode ?? proc.child.signalCode ?? 'running'}) stdout:\n` +
        `${proc.stdout().slice(-2000)}\n--- ${proc.name} stderr:\n${proc.stderr().slice(-2000)}`,
    )
    .join('\n');
}

/** Polls `check` until it holds; fails (never hangs) after `timeoutMs`, with the children's output. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}\n${tails()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs main.ts as a real process (through tsx) on `port`, and waits until it listens. */
export async function startMain(name: string, env: Record<string, string>): Promise<MainProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      MYPOSTSHARE_PUBLIC_URL: baseUrl,
      // The postgres test project: the data directory's own schema (nothing on SQLite).
      ...(env.MYPOSTSHARE_DATA_DIR && !env.MYPOSTSHARE_DATABASE_URL
        ? testDatabaseEnv(env.MYPOSTSHARE_DATA_DIR)
        : {}),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: MainProcess = { name, child, baseUrl, exited, stdout: () => stdout, stderr: () => stderr };
  processes.push(proc);
  await waitFor(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited before listening\n${tails()}`);
      }
      return stdout.includes('listening on');
    },
    30_000,
    `${name} to listen`,
    50,
  );
  return proc;
}

export async function call(
  baseUrl: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; expect?: number } = {},
): Promise<any> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const expected = options.expect ?? 200;
  if (response.status !== expected) {
    throw new Error(
      `${method} ${route} answered ${response.status} (expected ${expected}): ${text}\n${tails()}`,
    );
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * A live (non-sandbox) app with custom LinkedIn credentials matching the fake, an API key, and an
 * end user whose LinkedIn is connected through the hosted flow and the fake's authorize page.
 */
export async function liveLinkedInUser(server: MainProcess, externalUserId: string): Promise<string> {
  const admin = { token: settings.adminToken };
  const app = await call(server.baseUrl, 'POST', '/admin/v1/apps', {
    ...admin,
    body: { name: settings.appName, sandbox: false },
    expect: 201,
  });
  const { key } = await call(server.baseUrl, 'POST', `/admin/v1/apps/${app.id}/api-keys`, {
    ...admin,
    body: {},
    expect: 201,
  });
  expect(key).toMatch(/^mps_live_/);
  await call(server.baseUrl, 'PUT', `/admin/v1/apps/${app.id}/credentials/linkedin`, {
    ...admin,
    body: { mode: 'custom', ...settings.clients.linkedin },
  });
  await call(server.baseUrl, 'POST', '/api/v1/end-users', { token: key, body: { externalUserId } });
  const session = await call(server.baseUrl, 'POST', '/api/v1/connect-sessions', {
    token: key,
    body: { externalUserId, platform: 'linkedin', redirectUri: `${server.baseUrl}/connect/complete` },
    expect: 201,
  });
  const browser = new FlowClient({ baseUrl: server.baseUrl } as TestServer);
  const authorizeUrl = await browser.start(session.connectUrl);
  expect(authorizeUrl.startsWith(`${fake!.url}/linkedin/`)).toBe(true);
  const page = await browser.fetch(authorizeUrl);
  const href = /id="authorize" href="([^"]+)"/.exec(page.text)?.[1];
  if (page.status !== 200 || !href) throw new Error(`fake authorize page: ${page.status} ${page.text}`);
  const callback = await browser.fetch(href.replaceAll('&amp;', '&'));
  const landed = new URL(callback.location ?? 'http://invalid/');
  if (landed.searchParams.get('status') !== 'connected') {
    throw new Error(`connecting LinkedIn ended ${callback.status} ${callback.location}\n${tails()}`);
  }
  return key;
}

export interface PlatformResult {
  platform: string;
  status: string;
  externalId?: string | null;
  errorCode?: string | null;
}
export interface PostView {
  id: string;
  status: string;
  content: string;
  platformResults: PlatformResult[];
}

/** Settled: the request and every platform result (the request's status follows its results). */
export const terminal = (post: PostView) =>
  ['published', 'partially_published', 'failed', 'canceled'].includes(post.status) &&
  post.platformResults.length > 0 &&
  post.platformResults.every((result) => result.status === 'published' || result.status === 'failed');

/** Kills what is still running, stops the fake, removes the temporary directories. */
export async function cleanUpProcesses(): Promise<void> {
  for (const proc of processes) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  }
  await Promise.all(processes.map((proc) => proc.exited));
  await fake?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}

/** Enough of the test harness's server for the hosted-flow helpers, against a child process. */
export function asTestServer(proc: Pick<MainProcess, 'baseUrl'>): TestServer {
  const request: TestServer['request'] = async (method, route, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${proc.baseUrl}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
      text,
    };
  };
  return { baseUrl: proc.baseUrl, request } as TestServer;
}
