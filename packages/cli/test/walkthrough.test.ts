import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, completeSandboxConnect, connectUrlOf, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// The README's session, end to end on a fresh server and a fresh config directory: from logging in
// to a published post, with nothing but the CLI (and a browser stand-in for the consent page).

let server: TestServer;
let home: Home;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
  home = new Home();
});
afterAll(async () => {
  await server.started.app.deps.publishing.idle();
  home.remove();
  await server.close();
});

it('login → apps create --sandbox → keys create --save → redirects add → users upsert → connect → post → posts list', async () => {
  const step = async (args: string[], input?: string) => {
    const run = await home.run(args, input === undefined ? {} : { input });
    expect(run.code, `mypostshare ${args.join(' ')}\n${run.stderr}`).toBe(0);
    return run;
  };

  await step(['login', '--server', server.baseUrl, '--admin-token-stdin'], server.adminToken);

  const app = json(await step(['apps', 'create', 'Walkthrough', '--sandbox', '--json']));
  expect(app.sandbox).toBe(true);

  const key = json(await step(['keys', 'create', '--save', '--json']));
  expect(key).toMatchObject({ appId: app.id, savedTo: 'default' });
  expect(home.config().profiles.default).toMatchObject({
    server: server.baseUrl,
    app: app.id,
    apiKey: expect.stringMatching(/^mps_test_/),
  });

  const callback = 'http://localhost:3000/callback';
  await step(['redirects', 'add', callback, '--json']);

  const user = json(await step(['users', 'upsert', 'walk_user', '--name', 'Walker', '--json']));
  expect(user.externalUserId).toBe('walk_user');

  const connect = home.background(['connect', 'walk_user', 'linkedin', '--redirect-uri', callback, '--json']);
  const landed = await completeSandboxConnect(server, await connectUrlOf(connect));
  expect(`${landed.origin}${landed.pathname}`).toBe(callback);
  expect(Object.fromEntries(landed.searchParams)).toMatchObject({
    status: 'connected',
    platform: 'linkedin',
    externalUserId: 'walk_user',
  });
  const connected = await connect.done;
  expect(connected.code, connected.stderr).toBe(0);
  expect(json(connected)).toMatchObject({ status: 'connected', platform: 'linkedin' });

  const post = json(
    await step(['post', 'walk_user', 'Hello from the walkthrough', '--platform', 'linkedin', '--json']),
  );
  expect(post.status).toBe('published');

  const list = await step(['posts', 'list', '--json']);
  expect(json(list)).toEqual([
    expect.objectContaining({
      id: post.id,
      status: 'published',
      externalUserId: 'walk_user',
      platforms: ['linkedin'],
    }),
  ]);
  const table = await step(['posts', 'list']);
  expect(table.stdout).toMatch(new RegExp(`^${post.id} +published +walk_user +linkedin +\\d{4}-`, 'm'));
}, 120_000);
