import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// The operator's commands (admin token), each against the real server: --json output and exit codes.

let server: TestServer;
let home: Home;
let appId: string;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
  home = new Home();
  const login = await home.run(['login', '--server', server.baseUrl, '--admin-token-stdin'], {
    input: server.adminToken,
  });
  expect(login.code).toBe(0);
});
afterAll(async () => {
  home.remove();
  await server.close();
});

describe('apps', () => {
  it('creates a sandbox app and makes it the profile’s app', async () => {
    const run = await home.run(['apps', 'create', 'Acme staging', '--sandbox', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const app = json(run);
    expect(app).toEqual({
      id: expect.any(String),
      name: 'Acme staging',
      sandbox: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    appId = app.id;
    expect(home.config().profiles.default.app).toBe(appId);
  });

  it('creates a live app without switching to it when asked not to', async () => {
    const run = await home.run(['apps', 'create', 'Acme live', '--no-use', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ name: 'Acme live', sandbox: false });
    expect(home.config().profiles.default.app).toBe(appId);
  });

  it('needs a name without a terminal', async () => {
    const run = await home.run(['apps', 'create', '--sandbox']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: missing the app name\nhint: mypostshare apps create <name>/);
  });

  it('lists apps, newest first, as JSON and as a table marking the current one', async () => {
    let run = await home.run(['apps', 'list', '--json']);
    expect(run.code).toBe(0);
    const names = json<{ name: string }[]>(run).map((app) => app.name);
    expect(names.slice(0, 2)).toEqual(['Acme live', 'Acme staging']);

    run = await home.run(['apps', 'list']);
    expect(run.stdout.split('\n')[0]).toMatch(/^ +ID +NAME +SANDBOX +CREATED$/);
    expect(run.stdout).toMatch(new RegExp(`^\\* +${appId} +Acme staging +yes`, 'm'));

    run = await home.run(['apps', 'list', '--json', '--limit', '1']);
    expect(json(run)).toHaveLength(1);
    run = await home.run(['apps', 'list', '--json', '--limit', '1', '--all']);
    expect(json<unknown[]>(run).length).toBeGreaterThanOrEqual(3);
    run = await home.run(['apps', 'list', '--limit', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--limit must be a whole number from 1 to 200/);
  });

  it('shows, renames and uses apps; unknown ids are "not found"', async () => {
    let run = await home.run(['apps', 'show', '--json']);
    expect(json(run)).toMatchObject({ id: appId, name: 'Acme staging' });
    run = await home.run(['apps', 'rename', appId, 'Acme sandbox', '--json']);
    expect(json(run)).toMatchObject({ id: appId, name: 'Acme sandbox' });
    run = await home.run(['apps', 'use', appId, '--json']);
    expect(json(run)).toMatchObject({ profile: 'default', app: { id: appId } });

    run = await home.run(['apps', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^error: App not found \[not_found, request req_[\w-]+\]\nhint: .*mypostshare apps list/,
    );
    run = await home.run(['apps', 'show', 'not-a-uuid']);
    expect(run.code).toBe(2);
  });

  it('deletes an app only with --yes when there is no terminal', async () => {
    const created = json(await home.run(['apps', 'create', 'Doomed', '--no-use', '--json']));
    let run = await home.run(['apps', 'delete', created.id]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not confirmed\nhint: pass --yes/);
    run = await home.run(['apps', 'delete', created.id, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({ id: created.id, deleted: true });
    run = await home.run(['apps', 'show', created.id]);
    expect(run.code).toBe(4);
  });
});

describe('keys', () => {
  it('issues a key and prints it once', async () => {
    const run = await home.run(['keys', 'create', '--name', 'backend', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ name: 'backend', key: expect.stringMatching(/^mps_test_/) });
    expect(home.config().profiles.default.apiKey).toBeUndefined();
  });

  it('--save puts the key in the profile instead of on stdout', async () => {
    const run = await home.run(['keys', 'create', '--save', '--json']);
    expect(run.code).toBe(0);
    const saved = json(run);
    expect(saved).toMatchObject({ appId, savedTo: 'default', prefix: expect.stringMatching(/^mps_test_/) });
    expect(saved.key).toBeUndefined();
    const key = home.config().profiles.default.apiKey;
    expect(key).toMatch(/^mps_test_/);
    expect(run.stdout).not.toContain(key);
    // The saved key works.
    const status = await home.run(['status', '--json']);
    expect(json(status)).toMatchObject({ apiKey: 'accepted', app: { id: appId } });
  });

  it('lists keys (prefix and last four only) and revokes one', async () => {
    let run = await home.run(['keys', 'list', '--json']);
    const keys = json<{ id: string; name: string | null; last4: string; revokedAt: string | null }[]>(run);
    expect(keys).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toMatch(/"key"/);
    const backend = keys.find((key) => key.name === 'backend')!;

    run = await home.run(['keys', 'revoke', backend.id, '--yes', '--json']);
    expect(json(run)).toEqual({ id: backend.id, revoked: true });
    run = await home.run(['keys', 'list', '--json']);
    expect(json<typeof keys>(run).find((key) => key.id === backend.id)?.revokedAt).not.toBeNull();
  });

  it('needs an app', async () => {
    const other = new Home();
    try {
      const run = await other.run(['keys', 'list'], {
        env: { MYPOSTSHARE_SERVER_URL: server.baseUrl, MYPOSTSHARE_ADMIN_TOKEN: server.adminToken },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: no app selected\nhint: pass --app <id>/);
    } finally {
      other.remove();
    }
  });
});

describe('redirects', () => {
  it('adds, lists and removes redirect URIs (by id or by URI)', async () => {
    let run = await home.run(['redirects', 'add', 'https://client.example.com/oauth/callback', '--json']);
    expect(run.code).toBe(0);
    const first = json(run);
    expect(first).toMatchObject({ id: expect.any(String), uri: 'https://client.example.com/oauth/callback' });
    run = await home.run(['redirects', 'add', 'http://localhost:3000/cb', '--json']);
    const second = json(run);

    run = await home.run(['redirects', 'list', '--json']);
    expect(
      json<{ uri: string }[]>(run)
        .map((entry) => entry.uri)
        .sort(),
    ).toEqual(['http://localhost:3000/cb', 'https://client.example.com/oauth/callback']);

    run = await home.run(['redirects', 'remove', first.id, '--json']);
    expect(json(run)).toMatchObject({ id: first.id, removed: true });
    run = await home.run(['redirects', 'remove', 'http://localhost:3000/cb', '--json']);
    expect(json(run)).toMatchObject({ id: second.id, removed: true });
    run = await home.run(['redirects', 'remove', 'http://localhost:3000/cb']);
    expect(run.code).toBe(4);
  });

  it('reports a URI the server refuses as a usage error', async () => {
    const run = await home.run(['redirects', 'add', 'http://client.example.com/cb']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*\[validation_error, request req_[\w-]+\]/);
  });
});

describe('credentials', () => {
  it('sets a custom client with the secret from stdin, never printing or echoing it', async () => {
    const secret = 'linkedin-client-secret-123';
    const run = await home.run(['credentials', 'set', 'linkedin', '--client-id', '86abc', '--json'], {
      input: `${secret}\n`,
    });
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      platform: 'linkedin',
      mode: 'custom',
      clientId: '86abc',
      callbackUrl: `${server.baseUrl}/oauth/callback/linkedin`,
    });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('has no way to take the secret as an argument', async () => {
    let run = await home.run(['credentials', 'set', 'linkedin', '--client-id', 'x', '--client-secret', 's']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--client-secret'/);
    run = await home.run(['credentials', 'set', 'linkedin', '--client-id', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: nothing on stdin: expected the client secret/);
  });

  it('shows every platform, or one; removes a custom client', async () => {
    let run = await home.run(['credentials', 'show', '--json']);
    const all = json<{ platform: string; mode: string }[]>(run);
    expect(all.map((entry) => entry.platform)).toEqual([
      'linkedin',
      'facebook',
      'instagram',
      'twitter',
      'youtube',
    ]);
    expect(all.find((entry) => entry.platform === 'linkedin')?.mode).toBe('custom');

    run = await home.run(['credentials', 'show', 'twitter', '--json']);
    expect(json(run)).toMatchObject({ platform: 'twitter', mode: 'managed' });

    run = await home.run(['credentials', 'remove', 'linkedin', '--json']);
    expect(json(run)).toMatchObject({ platform: 'linkedin', mode: 'managed' });

    run = await home.run(['credentials', 'set', 'youtube', '--managed', '--json']);
    expect(json(run)).toMatchObject({ platform: 'youtube', mode: 'managed' });

    run = await home.run(['credentials', 'show', 'myspace']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: unknown platform "myspace"\nhint: one of: linkedin, facebook/);
  });
});

describe('users list, logs and doctor', () => {
  it('lists the app’s end users', async () => {
    const upsert = await home.run(['users', 'upsert', 'inventory_user', '--name', 'Sam', '--json']);
    expect(upsert.code).toBe(0);
    const run = await home.run(['users', 'list', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual([
      expect.objectContaining({ externalUserId: 'inventory_user', displayName: 'Sam' }),
    ]);
  });

  it('prints the request log', async () => {
    await home.run(['users', 'get', 'inventory_user']);
    const entries = await eventually(async () => {
      const run = await home.run(['logs', '--json', '--limit', '5']);
      expect(run.code).toBe(0);
      const list = json<{ method: string; path: string; status: number }[]>(run);
      expect(list.some((entry) => entry.path === '/api/v1/end-users/inventory_user')).toBe(true);
      return list;
    }, 10_000);
    expect(entries[0]).toEqual(
      expect.objectContaining({
        method: expect.any(String),
        status: expect.any(Number),
        requestId: expect.any(String),
      }),
    );
    const since = await home.run(['logs', '--json', '--since', '2099-01-01T00:00:00Z']);
    expect(json(since)).toEqual([]);
  });

  it('follows the request log until Ctrl-C, one JSON object per line', async () => {
    const follow = home.background(['logs', '--follow', '--json', '--since', '1m', '--interval', '1']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await home.run(['users', 'get', 'follow_me']);
    await follow.waitFor('stdout', /follow_me/, 15_000);
    const done = await follow.stop('SIGINT');
    expect(done.code).toBe(0);
    const lines = done.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.find((entry) => entry.path === '/api/v1/end-users/follow_me')).toMatchObject({
      status: 404,
    });
    expect(new Set(lines.map((entry) => entry.id)).size).toBe(lines.length);
  });

  it('doctor reports every check as JSON and exits 0 when nothing fails', async () => {
    const run = await home.run(['doctor', '--json']);
    expect(run.code).toBe(0);
    const report = json(run);
    expect(report.ok).toBe(true);
    const byName = Object.fromEntries(report.checks.map((check: any) => [check.name, check.status]));
    expect(byName).toMatchObject({
      configuration: 'ok',
      server: 'ok',
      ready: 'ok',
      'admin token': 'ok',
      app: 'ok',
      'API key': 'ok',
      linkedin: 'ok',
    });
  });

  it('doctor lists the callback URLs to register for a live app, and fails on a refused token', async () => {
    const live = json(await home.run(['apps', 'create', 'Doctor live', '--no-use', '--json']));
    let run = await home.run(['doctor', '--json', '--app', live.id]);
    const report = json(run);
    expect(report.callbackUrls).toEqual(
      ['linkedin', 'facebook', 'instagram', 'twitter', 'youtube'].map((platform) => ({
        platform,
        url: `${server.baseUrl}/oauth/callback/${platform}`,
        mode: 'managed',
      })),
    );
    // The saved key is a test key of another app.
    expect(report.checks.find((check: any) => check.name === 'API key')).toMatchObject({ status: 'warn' });

    run = await home.run(['doctor'], { env: { MYPOSTSHARE_ADMIN_TOKEN: 'mps_admin_wrong' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL +admin token +refused \(from MYPOSTSHARE_ADMIN_TOKEN\)$/m);
    expect(run.stderr).toMatch(/^error: doctor found 1 problem: admin token/);
  });
});
