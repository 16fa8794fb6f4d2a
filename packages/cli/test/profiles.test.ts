import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

let server: TestServer;
let home: Home;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  home = new Home();
});
afterEach(() => {
  home.remove();
});

const login = (args: string[] = [], input = server.adminToken) =>
  home.run(['login', '--json', '--server', server.baseUrl, '--admin-token-stdin', ...args], { input });

describe('mypostshare login', () => {
  it('checks the admin token, saves it to a versioned profile file readable by its owner only', async () => {
    const run = await login();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      profile: 'default',
      server: server.baseUrl,
      adminToken: true,
      apiKey: null,
      app: null,
    });
    // No secret on stdout.
    expect(run.stdout).not.toContain(server.adminToken);

    expect(home.config()).toEqual({
      version: 1,
      currentProfile: 'default',
      profiles: { default: { server: server.baseUrl, adminToken: server.adminToken } },
    });
    expect(fs.statSync(home.configFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(home.configFile)).mode & 0o777).toBe(0o700);
  });

  it('adds an API key to the same profile, shown masked', async () => {
    await login();
    const run = await home.run(['login', '--json', '--api-key-stdin'], { input: `${server.sandboxKey}\n` });
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      profile: 'default',
      server: server.baseUrl,
      adminToken: true,
      apiKey: `mps_test_…${server.sandboxKey.slice(-4)}`,
      app: null,
    });
    expect(home.config().profiles.default).toEqual({
      server: server.baseUrl,
      adminToken: server.adminToken,
      apiKey: server.sandboxKey,
    });
  });

  it('takes the credentials from the environment too', async () => {
    const run = await home.run(['login', '--json', '--server', server.baseUrl, '--profile', 'ci'], {
      env: { MYPOSTSHARE_API_KEY: server.sandboxKey },
    });
    expect(run.code).toBe(0);
    expect(home.config()).toMatchObject({
      currentProfile: 'ci',
      profiles: { ci: { server: server.baseUrl, apiKey: server.sandboxKey } },
    });
  });

  it('saves nothing when the server refuses the token (auth exit code)', async () => {
    const run = await login([], 'mps_admin_not_the_token');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: .* refused the admin token; nothing was saved\nhint: /);
    expect(fs.existsSync(home.configFile)).toBe(false);
  });

  it('refuses to run without any credential and without a terminal (usage exit code)', async () => {
    const run = await home.run(['login', '--server', server.baseUrl]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: nothing to log in with.*\nhint: .*--admin-token-stdin/);
  });

  it('reports an empty stdin and an unreachable server', async () => {
    let run = await login([], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: nothing on stdin: expected the admin token/);

    run = await home.run(['login', '--server', 'http://127.0.0.1:9', '--admin-token-stdin'], { input: 'x' });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/^error: cannot reach the mypostshare server at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('profiles', () => {
  it('lists, switches and removes profiles, never printing secrets', async () => {
    await login();
    await home.run(['login', '--profile', 'sandbox', '--server', server.baseUrl, '--api-key-stdin'], {
      input: server.sandboxKey,
    });
    let run = await home.run(['profiles', 'list', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual([
      { name: 'default', current: false, server: server.baseUrl, adminToken: true, apiKey: null, app: null },
      {
        name: 'sandbox',
        current: true,
        server: server.baseUrl,
        adminToken: false,
        apiKey: `mps_test_…${server.sandboxKey.slice(-4)}`,
        app: null,
      },
    ]);
    run = await home.run(['profiles', 'list']);
    expect(run.stdout).not.toContain(server.adminToken);
    expect(run.stdout).not.toContain(server.sandboxKey);
    expect(run.stdout.split('\n')[2]).toMatch(/^\* +sandbox /);

    run = await home.run(['profiles', 'use', 'default', '--json']);
    expect(json(run)).toEqual({ current: 'default', server: server.baseUrl });
    expect(home.config().currentProfile).toBe('default');

    run = await home.run(['profiles', 'use', 'nope']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: there is no profile "nope"/);

    run = await home.run(['profiles', 'remove', 'sandbox', '--json']);
    expect(json(run)).toEqual({ removed: 'sandbox', current: 'default' });
    expect(Object.keys(home.config().profiles)).toEqual(['default']);
  });

  it('uses the current profile, or the one --profile or MYPOSTSHARE_PROFILE names', async () => {
    await login();
    await home.run(['login', '--profile', 'keyonly', '--server', server.baseUrl, '--api-key-stdin'], {
      input: server.sandboxKey,
    });
    // keyonly is current: it has no admin token.
    let run = await home.run(['apps', 'list', '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: no admin token for/);
    run = await home.run(['apps', 'list', '--json', '--profile', 'default']);
    expect(run.code).toBe(0);
    run = await home.run(['apps', 'list', '--json'], { env: { MYPOSTSHARE_PROFILE: 'default' } });
    expect(run.code).toBe(0);
    run = await home.run(['apps', 'list', '--profile', 'missing']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: there is no profile "missing".*\nhint: .*login --profile missing/);
  });

  it('lets MYPOSTSHARE_ADMIN_TOKEN and MYPOSTSHARE_API_KEY override the profile', async () => {
    await login();
    let run = await home.run(['status', '--json'], {
      env: { MYPOSTSHARE_ADMIN_TOKEN: 'mps_admin_overridden' },
    });
    expect(json(run).adminToken).toBe('refused');
    run = await home.run(['status', '--json'], { env: { MYPOSTSHARE_API_KEY: server.sandboxKey } });
    expect(json(run)).toMatchObject({ profile: 'default', adminToken: 'accepted', apiKey: 'accepted' });
  });

  it("never sends a profile's credentials to another server given with --server or MYPOSTSHARE_SERVER_URL", async () => {
    await login();
    const seen: (string | undefined)[] = [];
    const other = http.createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'unauthorized', message: 'no', requestId: 'r' } }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      let run = await home.run(['apps', 'list', '--server', otherUrl]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(
        `no admin token for ${otherUrl} (profile "default" is for ${server.baseUrl})`,
      );
      run = await home.run(['apps', 'list'], { env: { MYPOSTSHARE_SERVER_URL: otherUrl } });
      expect(run.code).toBe(3);
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('refuses a profile file that is not valid, or from a newer CLI, as a usage error', async () => {
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, '{"version": 1, "profiles": {"default": {"server": "not a url"}}}');
    let run = await home.run(['apps', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /is not a valid mypostshare configuration: profiles\.default\.server: .*\nhint: /,
    );

    fs.writeFileSync(home.configFile, '{"version": 2, "profiles": {}}');
    run = await home.run(['status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/was written by a newer mypostshare CLI \(format version 2\)/);

    fs.writeFileSync(home.configFile, 'not json');
    run = await home.run(['profiles', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/it is not JSON/);
  });
});
