import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from its sources as a child process, the way a user would run the binary. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { MYPOSTSHARE_SERVER_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'packages/cli/src/bin.ts', ...args], {
      cwd: ROOT,
      env: { ...inherited, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A stand-in for the real server's operational endpoints, answering as they do.
let ready = true;
const seen: string[] = [];
const fake: Server = createServer((request, response) => {
  seen.push(`${request.method} ${request.url}`);
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.url === '/healthz') return send(200, { status: 'ok', version: '0.1.0' });
  if (request.url === '/readyz') {
    return ready
      ? send(200, { status: 'ready', checks: { database: { status: 'ok' } } })
      : send(503, {
          status: 'not_ready',
          checks: { database: { status: 'failing', detail: 'database did not answer' } },
        });
  }
  return send(404, { error: { code: 'not_found', message: 'No route', requestId: 'req_fake_1' } });
});
let serverUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => fake.close(resolve));
});
beforeEach(() => {
  ready = true;
  seen.length = 0;
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('mypostshare status', () => {
  it('prints exactly {server, status, version, ready} with --json', async () => {
    const run = await runCli(['status', '--json', '--server', serverUrl]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toEqual({ server: serverUrl, status: 'ok', version: '0.1.0', ready: true });
    expect(Object.keys(printed)).toEqual(['server', 'status', 'version', 'ready']);
    expect(seen.sort()).toEqual(['GET /healthz', 'GET /readyz']);
  });

  it('takes the global options before the command and the server from MYPOSTSHARE_SERVER_URL', async () => {
    const run = await runCli(['--json', 'status'], { MYPOSTSHARE_SERVER_URL: `${serverUrl}/` });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      server: serverUrl,
      status: 'ok',
      version: '0.1.0',
      ready: true,
    });
  });

  it('prefers --server over MYPOSTSHARE_SERVER_URL', async () => {
    const port = await closedPort();
    const run = await runCli(['status', '--json', '--server', serverUrl], {
      MYPOSTSHARE_SERVER_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).server).toBe(serverUrl);
  });

  it('prints a short table for people', async () => {
    const run = await runCli(['status', '--server', serverUrl]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      `server   ${serverUrl}`,
      'status   ok',
      'version  0.1.0',
      'ready    yes',
    ]);
  });

  it('reports a server that is up but not ready, and exits with the server code', async () => {
    ready = false;
    const run = await runCli(['status', '--json', '--server', serverUrl]);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toEqual({
      server: serverUrl,
      status: 'ok',
      version: '0.1.0',
      ready: false,
    });
    expect(run.stderr).toMatch(/^error: .*not ready.*database: database did not answer/);
  });

  it('says so on stderr, with a hint, when the server is unreachable', async () => {
    const port = await closedPort();
    const run = await runCli(['status', '--json', '--server', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(6);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `error: cannot reach the mypostshare server at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(lines[1]).toMatch(/^hint: .*--server/);
  });

  it('reports an answer that is not a mypostshare /healthz as a server error', async () => {
    const run = await runCli(['status', '--server', `${serverUrl}/api`]);
    expect(run.code).toBe(5);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: .*\/api\/healthz answered 404/);
  });

  it('rejects a --server that is not an http(s) URL as a usage error', async () => {
    const run = await runCli(['status', '--server', 'localhost:8787']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: --server must be an http\(s\) URL/);
  });
});

describe('mypostshare', () => {
  it('prints its version with --version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${CLI_VERSION}\n`);
  });

  it('exits with the usage code on an unknown command', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
