import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Bootstrapped, bootstrap } from '../src/bootstrap.js';
import type { Clock } from '../src/clock.js';
import { loadConfig } from '../src/env.js';
import { createLoggers } from '../src/logger.js';

export interface TestServer {
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  dbFile: string;
  started: Bootstrapped;
  /** Every log line the server wrote, for leak checks. */
  logs: string[];
  /** The first-run sandbox app's key. */
  sandboxKey: string;
  /** Calls the server over real HTTP and parses the JSON body (undefined when empty). */
  request(
    method: string,
    route: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  admin(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Creates an app through the admin API and issues it a key. */
  createApp(options?: {
    name?: string;
    sandbox?: boolean;
  }): Promise<{ appId: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

/**
 * Starts the real server (the same bootstrap as main.ts) on a fresh SQLite file in a temp
 * directory, listening on an ephemeral port. With `dataDir`, it starts on that directory instead
 * (a restart on the same data), which `close` then leaves in place for the caller to remove.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mps-test-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    MYPOSTSHARE_DATA_DIR: dataDir,
    MYPOSTSHARE_LOG_LEVEL: 'trace',
    PORT: '0',
    ...env,
  });
  const started = await bootstrap(config, createLoggers(config.logLevel, sink), options.clock);
  const server = http.createServer(started.app.koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  // The public URL decides callback URLs and Link headers; point it at the real port.
  started.app.deps.config.publicUrl = env.MYPOSTSHARE_PUBLIC_URL ?? baseUrl;
  const adminToken =
    env.MYPOSTSHARE_ADMIN_TOKEN ?? fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();

  const request: TestServer['request'] = async (method, route, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${route}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  const testServer: TestServer = {
    baseUrl,
    adminToken,
    dataDir,
    dbFile: started.database.filename,
    started,
    logs,
    sandboxKey: started.banner.sandbox?.apiKey ?? '',
    request,
    admin: (method, route, body) => request(method, route, { token: adminToken, body }),
    async createApp({ name = 'Test app', sandbox = false } = {}) {
      const app = await request('POST', '/admin/v1/apps', { token: adminToken, body: { name, sandbox } });
      if (app.status !== 201) throw new Error(`createApp failed: ${app.status} ${app.text}`);
      const key = await request('POST', `/admin/v1/apps/${app.body.id}/api-keys`, {
        token: adminToken,
        body: {},
      });
      if (key.status !== 201) throw new Error(`createApiKey failed: ${key.status} ${key.text}`);
      return { appId: app.body.id, key: key.body.key, keyId: key.body.id };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await started.close();
      if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testServer;
}

/** Waits until `check` passes or the timeout lapses (for eventually-visible effects like log flushes). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
