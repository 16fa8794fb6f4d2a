import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, completeSandboxConnect, Home, json } from './helpers.js';
import { hasTmux, TerminalSession } from './tmux.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// Prompts, driven through a real pseudo-terminal (tmux): what a person at a terminal sees and types.

let server: TestServer;
let home: Home;
let session: TerminalSession | undefined;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
  home = new Home();
});
afterEach(() => {
  session?.close();
  session = undefined;
});
afterAll(async () => {
  home.remove();
  await server.close();
});

const terminal = (args: string[], env: Record<string, string> = {}) => {
  session = new TerminalSession(home, args, env);
  return session;
};

// Without tmux these tests are skipped on a workstation, but CI must run them (.ci/run installs it).
it.runIf(!hasTmux && process.env.CI === 'true')('has tmux for the terminal tests (CI)', () => {
  expect.fail('tmux is not installed: the interactive CLI tests cannot run (apt-get install tmux)');
});

describe.skipIf(!hasTmux)('at a terminal', () => {
  it('login asks for the server and the tokens, without echoing them', async () => {
    const tty = terminal(['login', '--json']);
    await tty.waitFor(/Server URL/);
    // Replace the suggested default with the test server.
    tty.press('C-u');
    tty.type(server.baseUrl);
    tty.press('Enter');
    await tty.waitFor(/Admin token/);
    tty.type(server.adminToken);
    tty.press('Enter');
    await tty.waitFor(/API key/);
    tty.press('Enter'); // optional once there is an admin token
    const { code, stdout, screen } = await tty.exit();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(server.adminToken);
    expect(JSON.parse(stdout)).toEqual({
      profile: 'default',
      server: server.baseUrl,
      adminToken: true,
      apiKey: null,
      app: null,
    });
    expect(home.config().profiles.default).toEqual({ server: server.baseUrl, adminToken: server.adminToken });
  });

  it('apps create asks for the name and whether it is a sandbox', async () => {
    const tty = terminal(['apps', 'create']);
    await tty.waitFor(/App name/);
    tty.type('Typed at a terminal');
    tty.press('Enter');
    await tty.waitFor(/Sandbox app/);
    tty.press('Enter'); // the default: yes
    const { code, stdout, screen } = await tty.exit();
    expect(code, screen).toBe(0);
    expect(stdout).toMatch(/^name +Typed at a terminal$/m);
    expect(stdout).toMatch(/^sandbox +yes$/m);
    // Hints for people go to stderr (the terminal), not to stdout; none under --json.
    expect(screen).toMatch(
      /Profile "default" now uses app [0-9a-f-]{36}\. Next: `mypostshare keys create --save`/,
    );
    expect(stdout).not.toMatch(/Next:/);
  });

  it('credentials set picks the platform from a list and reads the secret at a hidden prompt', async () => {
    const secret = 'typed-secret-never-shown';
    const tty = terminal(['credentials', 'set', '--json']);
    await tty.waitFor(/Which platform\?/);
    tty.press('Down'); // linkedin → facebook
    tty.press('Enter');
    await tty.waitFor(/facebook client id/);
    tty.type('fb-client-1');
    tty.press('Enter');
    await tty.waitFor(/facebook client secret/);
    tty.type(secret);
    tty.press('Enter');
    const { code, stdout, screen } = await tty.exit();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(secret);
    expect(JSON.parse(stdout)).toMatchObject({
      platform: 'facebook',
      mode: 'custom',
      clientId: 'fb-client-1',
    });
  });

  it('asks before deleting, and stops on "no" or Ctrl-C', async () => {
    const app = json(await home.run(['apps', 'create', 'Keep me', '--no-use', '--json']));
    let tty = terminal(['apps', 'delete', app.id]);
    await tty.waitFor(/Delete app "Keep me"/);
    tty.type('n');
    tty.press('Enter');
    let result = await tty.exit();
    expect(result.code).toBe(1);
    expect(result.screen).toMatch(/error: nothing was changed/);
    tty.close();

    tty = terminal(['apps', 'delete', app.id]);
    await tty.waitFor(/Delete app "Keep me"/);
    tty.press('C-c');
    result = await tty.exit();
    expect(result.code).toBe(130);
    tty.close();

    tty = terminal(['apps', 'delete', app.id, '--json']);
    await tty.waitFor(/Delete app "Keep me"/);
    tty.type('y');
    tty.press('Enter');
    result = await tty.exit();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: app.id, deleted: true });
  });

  it('never prompts with --no-interactive or CI, even at a terminal', async () => {
    let tty = terminal(['apps', 'create', '--no-interactive']);
    let result = await tty.exit();
    expect(result.code).toBe(2);
    expect(result.screen).toMatch(/error: missing the app name/);
    tty.close();

    tty = terminal(['apps', 'create'], { CI: 'true' });
    result = await tty.exit();
    expect(result.code).toBe(2);
    expect(result.screen).toMatch(/error: missing the app name/);
  });

  it('colours stderr at a terminal, but not with NO_COLOR', async () => {
    let tty = terminal(['apps', 'show', '00000000-0000-4000-8000-000000000000'], { NO_COLOR: '' });
    await tty.exit();
    // SGR 31 (red) around "error:".
    expect(tty.screen(true)).toContain('\u001b[31merror:');
    tty.close();

    tty = terminal(['apps', 'show', '00000000-0000-4000-8000-000000000000'], { NO_COLOR: '1' });
    await tty.exit();
    expect(tty.screen(true)).toMatch(/^error: App not found/m);
    expect(tty.screen(true)).not.toContain('\u001b[31m');
  });

  it('connect shows a spinner while it waits, then the result', async () => {
    await home.run(['users', 'upsert', 'tty_user'], {
      env: { MYPOSTSHARE_SERVER_URL: server.baseUrl, MYPOSTSHARE_API_KEY: server.sandboxKey },
    });
    const tty = terminal(['connect', 'tty_user', 'linkedin'], {
      MYPOSTSHARE_SERVER_URL: server.baseUrl,
      MYPOSTSHARE_API_KEY: server.sandboxKey,
    });
    const screen = await tty.waitFor(/Waiting for the account to be connected/);
    const url = /(http:\/\/\S+\/connect\/[0-9a-f-]{36})/.exec(screen)![1]!;
    await completeSandboxConnect(server, url);
    const { code, stdout, screen: after } = await tty.exit();
    expect(code, after).toBe(0);
    expect(stdout).toMatch(/^status +connected$/m);
    // The spinner line is cleared once done.
    expect(after).not.toMatch(/Waiting for the account/);
    expect(after).toMatch(/Next: `mypostshare post tty_user "Hello" --platform linkedin`/);
  });
});
