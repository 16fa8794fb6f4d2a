import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const CLI_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

let server: TestServer;
let home: Home;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
  home = new Home();
});
afterAll(async () => {
  home.remove();
  await server.close();
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('mypostshare status against the real server', () => {
  it('prints health, readiness and who the credentials belong to with --json', async () => {
    const run = await home.run(['status', '--json', '--server', server.baseUrl], {
      env: { MYPOSTSHARE_ADMIN_TOKEN: server.adminToken, MYPOSTSHARE_API_KEY: server.sandboxKey },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      server: server.baseUrl,
      status: 'ok',
      version: expect.any(String),
      ready: true,
      profile: null,
      adminToken: 'accepted',
      apiKey: 'accepted',
      apiKeyMode: 'test',
      app: null,
    });
  });

  it('shows the selected app', async () => {
    const { appId } = await server.createApp({ name: 'Status app', sandbox: true });
    const run = await home.run(['status', '--json', '--server', server.baseUrl, '--app', appId], {
      env: { MYPOSTSHARE_ADMIN_TOKEN: server.adminToken },
    });
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      adminToken: 'accepted',
      apiKey: 'not set',
      apiKeyMode: null,
      app: { id: appId, name: 'Status app', sandbox: true },
    });
  });

  it('takes the server from MYPOSTSHARE_SERVER_URL, global options before the command', async () => {
    const run = await home.run(['--json', 'status'], {
      env: { MYPOSTSHARE_SERVER_URL: `${server.baseUrl}/` },
    });
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ server: server.baseUrl, adminToken: 'not set', apiKey: 'not set' });
  });

  it('prefers --server over MYPOSTSHARE_SERVER_URL', async () => {
    const port = await closedPort();
    const run = await home.run(['status', '--json', '--server', server.baseUrl], {
      env: { MYPOSTSHARE_SERVER_URL: `http://127.0.0.1:${port}` },
    });
    expect(run.code).toBe(0);
    expect(json(run).server).toBe(server.baseUrl);
  });

  it('prints a short table for people', async () => {
    const run = await home.run(['status', '--server', server.baseUrl], {
      env: { MYPOSTSHARE_API_KEY: server.sandboxKey },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      `server       ${server.baseUrl}`,
      'status       ok',
      expect.stringMatching(/^version {6}\d+\.\d+\.\d+/),
      'ready        yes',
      'profile      -',
      'admin token  not set',
      'API key      accepted (test)',
      'app          -',
    ]);
  });

  it('reports a refused token after printing the report, with the auth exit code', async () => {
    const run = await home.run(['status', '--json', '--server', server.baseUrl], {
      env: { MYPOSTSHARE_ADMIN_TOKEN: 'mps_admin_wrong' },
    });
    expect(run.code).toBe(3);
    expect(json(run).adminToken).toBe('refused');
    expect(run.stderr).toMatch(/^error: the server refused the admin token\nhint: .*login/);
  });

  it('reports a selected app that does not exist with the not-found exit code', async () => {
    const run = await home.run(
      ['status', '--json', '--server', server.baseUrl, '--app', '00000000-0000-4000-8000-000000000000'],
      { env: { MYPOSTSHARE_ADMIN_TOKEN: server.adminToken } },
    );
    expect(run.code).toBe(4);
    expect(json(run).app).toBeNull();
    expect(run.stderr).toMatch(
      /^error: the selected app 00000000-0000-4000-8000-000000000000 does not exist/,
    );
  });
});

describe('mypostshare status against servers that are not ready, not there, or not mypostshare', () => {
  // A stand-in for the operational endpoints, to make the server not ready on demand.
  let ready = true;
  const fake: Server = createServer((request, response) => {
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
    if (request.url === '/teapot/healthz') return send(418, { tea: true });
    return send(404, { error: { code: 'not_found', message: 'No route', requestId: 'req_fake_1' } });
  });
  let fakeUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.close(resolve));
  });
  beforeEach(() => {
    ready = true;
  });

  it('reports a server that is up but not ready, and exits with the server code', async () => {
    ready = false;
    const run = await home.run(['status', '--json', '--server', fakeUrl]);
    expect(run.code).toBe(5);
    expect(json(run)).toMatchObject({ server: fakeUrl, status: 'ok', version: '0.1.0', ready: false });
    expect(run.stderr).toMatch(/^error: .*not ready.*database: database did not answer/);
  });

  it('says so on stderr, with a hint, when the server is unreachable', async () => {
    const port = await closedPort();
    const run = await home.run(['status', '--json', '--server', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(6);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `error: cannot reach the mypostshare server at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(lines[1]).toMatch(/^hint: .*--server/);
  });

  it('reports something that is not a mypostshare server as a server error', async () => {
    ready = true;
    const other = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const run = await home.run(['status', '--server', url]);
      expect(run.code).toBe(5);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: .*\/healthz answered 200 with something that is not a mypostshare/);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('rejects a --server that is not an http(s) origin as a usage error', async () => {
    let run = await home.run(['status', '--server', 'localhost:8787']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: --server must be an http\(s\) URL/);

    run = await home.run(['status', '--server', `${fakeUrl}/api`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --server must be the server origin, without a path.*\nhint: e\.g\. http/,
    );
  });
});

describe('mypostshare', () => {
  it('prints its version with --version, on any command', async () => {
    for (const args of [['--version'], ['-V'], ['apps', '--version'], ['webhooks', 'listen', '--version']]) {
      const run = await home.run(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toBe(`${CLI_VERSION}\n`);
    }
  });

  it('prints help on stdout with --help, on any command', async () => {
    for (const args of [['--help'], ['apps', '--help'], ['keys', 'create', '--help'], ['help', 'post']]) {
      const run = await home.run(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/^Usage: mypostshare/);
      expect(run.stderr).toBe('');
    }
  });

  it('exits with the usage code on an unknown command or option', async () => {
    let run = await home.run(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);

    run = await home.run(['apps', 'list', '--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
