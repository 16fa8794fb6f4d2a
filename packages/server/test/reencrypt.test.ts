import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { clientSecretAad, connectionTokenAad } from '../src/crypto/aad.js';
import { Keyring } from '../src/crypto/encryption.js';
import { openDatabase } from '../src/db/database.js';
import { decryptConnectionTokens } from '../src/services/connections.js';
import { reencryptAll } from '../src/services/reencrypt.js';
import { getFreshTokens } from '../src/services/token-refresh.js';
import { endpointSecrets } from '../src/webhooks/secrets.js';
import { FlowClient, newSession } from './connect/flow-client.js';
import { onPostgres, startTestServer, type TestServer, testDatabaseEnv } from './harness.js';

/*
 * Encryption keys over a deployment's life (docs/security.md items 21 and 22): rotating to a new key
 * on the same data directory, the real `reencrypt` command run as a child process, retiring the old
 * key, and start-up refusing bad keys without printing them.
 */

const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDirs: string[] = [];

const key32 = () => randomBytes(32).toString('base64');
function tempDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-rotate-'));
  dataDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs main.ts (through tsx) to completion, as an operator would. */
function runMain(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      MYPOSTSHARE_LOG_LEVEL: 'warn',
      ...(env.MYPOSTSHARE_DATA_DIR ? testDatabaseEnv(env.MYPOSTSHARE_DATA_DIR) : {}),
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
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Every non-empty value of every `*_enc` column in the data directory's database (SQLite or PostgreSQL). */
async function encryptedValues(dataDir: string): Promise<Array<{ where: string; value: string }>> {
  const env = testDatabaseEnv(dataDir);
  const database = await openDatabase({ databaseUrl: env.MYPOSTSHARE_DATABASE_URL, dataDir });
  const db = database.db as unknown as Kysely<any>;
  try {
    const found: Array<{ where: string; value: string }> = [];
    // PostgreSQL introspection lists every schema's tables: only this database's schema counts.
    const tables = (await db.introspection.getTables()).filter(
      (table) => database.schema === undefined || table.schema === database.schema,
    );
    for (const table of tables) {
      for (const { name: column } of table.columns.filter((column) => column.name.endsWith('_enc'))) {
        const rows = (await db
          .selectFrom(table.name)
          .select(sql.ref(column).as('value'))
          .where(column, 'is not', null)
          .where(column, '!=', '')
          .execute()) as Array<{ value: string }>;
        for (const { value } of rows) found.push({ where: `${table.name}.${column}`, value });
      }
    }
    return found;
  } finally {
    await database.close();
  }
}

const kidsOf = (values: Array<{ value: string }>) =>
  new Set(values.map(({ value }) => value.split('.').slice(0, 2).join('.')));

/** Completes a sandbox flow for a new end user; returns the connection id. */
async function sandboxConnect(server: TestServer, key: string, user: string, platform = 'linkedin') {
  const session = await newSession(server, key, { externalUserId: user, platform });
  const browser = new FlowClient(server);
  const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
  const finished = await browser.fetch(callback);
  expect(new URL(finished.location!).searchParams.get('status')).toBe('connected');
  const listed = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key });
  return listed.body[0].id as string;
}

const credentialRow = (server: TestServer, appId: string, platform: string) =>
  server.started.database.db
    .selectFrom('app_credentials')
    .selectAll()
    .where('app_id', '=', appId)
    .where('platform', '=', platform)
    .executeTakeFirstOrThrow();

describe('key rotation and the reencrypt command (security 21)', () => {
  it('new writes use the new key, old rows stay readable, reencrypt moves them, and the old key can go', async () => {
    const dataDir = tempDataDir();
    const oldKey = key32();
    const newKey = key32();
    // Private network allowed only so a webhook endpoint on loopback can be registered.
    const local = { MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true' };
    const oldOnly = { ...local, MYPOSTSHARE_ENCRYPTION_KEYS: `old:${oldKey}` };
    const rotating = { ...local, MYPOSTSHARE_ENCRYPTION_KEYS: `new:${newKey},old:${oldKey}` };
    const newOnly = { ...local, MYPOSTSHARE_ENCRYPTION_KEYS: `new:${newKey}` };

    // 1. Under the old key: a custom client secret, a connection, a flow waiting at the picker and
    //    one waiting at the provider.
    let server = await startTestServer(oldOnly, { dataDir });
    const sandboxKey = server.sandboxKey;
    const live = await server.createApp({ name: 'Live' });
    const put = await server.admin('PUT', `/admin/v1/apps/${live.appId}/credentials/twitter`, {
      mode: 'custom',
      clientId: 'x-rotation-client',
      clientSecret: 'x-rotation-secret',
    });
    expect(put.status).toBe(200);
    const connectionId = await sandboxConnect(server, sandboxKey, 'rot_user');
    const tokens = decryptConnectionTokens(
      server.started.app.deps,
      await server.started.database.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', connectionId)
        .executeTakeFirstOrThrow(),
    );
    const picker = await newSession(server, sandboxKey, {
      externalUserId: 'rot_picker',
      platform: 'facebook',
    });
    const pickerBrowser = new FlowClient(server);
    const atPicker = await pickerBrowser.fetch(
      await pickerBrowser.sandboxDecide(await pickerBrowser.start(picker.connectUrl), 'approve'),
    );
    expect(atPicker.location).toBe(`/connect/${picker.id}/select`);
    const waiting = await newSession(server, sandboxKey, {
      externalUserId: 'rot_waiting',
      platform: 'youtube',
    });
    await new FlowClient(server).start(waiting.connectUrl);
    // A webhook endpoint whose secret was rotated: the current and the rotated-out secret are stored.
    const endpoint = await server.request('POST', '/api/v1/webhook-endpoints', {
      token: sandboxKey,
      body: { url: 'http://127.0.0.1:9/hooks' },
    });
    expect(endpoint.status).toBe(201);
    const rotated = await server.request(
      'POST',
      `/api/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`,
      {
        token: sandboxKey,
      },
    );
    expect(rotated.status).toBe(200);
    const webhookSecrets = [rotated.body.secret as string, endpoint.body.secret as string];
    await server.close();

    const before = await encryptedValues(dataDir);
    expect(new Set(before.map(({ where }) => where))).toEqual(
      new Set([
        'app_credentials.client_secret_enc',
        'connections.access_token_enc',
        'connections.refresh_token_enc',
        'oauth_states.client_secret_enc',
        'oauth_states.code_verifier_enc',
        'connect_sessions.pending_accounts_enc',
        'webhook_endpoints.secret_enc',
        'webhook_endpoints.previous_secrets_enc',
      ]),
    );
    expect(kidsOf(before)).toEqual(new Set(['v1.old']));

    // 2. The new key first, the old one after it: old rows read, new writes use the new key.
    server = await startTestServer(rotating, { dataDir });
    const listed = await server.request('GET', '/api/v1/end-users/rot_user/connections', {
      token: sandboxKey,
    });
    expect(listed.body).toEqual([expect.objectContaining({ id: connectionId, status: 'connected' })]);
    expect(await getFreshTokens(server.started.app.deps, connectionId)).toMatchObject({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    });
    // The old client secret decrypts: a flow can start with it, and its state is written under the new key.
    const liveSession = await newSession(server, live.key, {
      externalUserId: 'rot_live',
      platform: 'twitter',
    });
    const authorize = new URL(await new FlowClient(server).start(liveSession.connectUrl));
    expect(authorize.searchParams.get('client_id')).toBe('x-rotation-client');
    const state = await server.started.database.db
      .selectFrom('oauth_states')
      .selectAll()
      .where('session_id', '=', liveSession.id)
      .executeTakeFirstOrThrow();
    expect(state.client_secret_enc).toMatch(/^v1\.new\./);
    expect(
      server.started.keyring.decrypt(state.client_secret_enc, `oauth_states.client_secret:${state.id}`),
    ).toBe('x-rotation-secret');
    const write = await server.admin('PUT', `/admin/v1/apps/${live.appId}/credentials/youtube`, {
      mode: 'custom',
      clientId: 'yt-rotation-client',
      clientSecret: 'yt-rotation-secret',
    });
    expect(write.status).toBe(200);
    expect((await credentialRow(server, live.appId, 'youtube')).client_secret_enc).toMatch(/^v1\.new\./);
    expect((await credentialRow(server, live.appId, 'twitter')).client_secret_enc).toMatch(/^v1\.old\./);
    await server.close();

    // 3. The real command, as a process, on the same data directory and keys.
    const stillOld = (await encryptedValues(dataDir)).filter(({ value }) =>
      value.startsWith('v1.old.'),
    ).length;
    expect(stillOld).toBe(before.length);
    const run = await runMain(['reencrypt'], { MYPOSTSHARE_DATA_DIR: dataDir, ...rotating });
    expect(run.code, run.stderr).toBe(0);
    const printed = /re-encrypted (\d+) secrets under key new/.exec(run.stdout);
    expect(printed, run.stdout).not.toBeNull();
    expect(Number(printed![1])).toBe(stillOld);
    for (const output of [run.stdout, run.stderr]) {
      for (const secret of [oldKey, newKey, 'x-rotation-secret', tokens.accessToken, tokens.refreshToken!]) {
        expect(output).not.toContain(secret);
      }
    }
    const after = await encryptedValues(dataDir);
    expect(after).toHaveLength(before.length + 3);
    expect(kidsOf(after)).toEqual(new Set(['v1.new']));
    // Re-running finds nothing left to do.
    const again = await runMain(['reencrypt'], { MYPOSTSHARE_DATA_DIR: dataDir, ...rotating });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/re-encrypted 0 secrets under key new; \d+ were already current/);

    // 4. The old key retired: everything still reads.
    server = await startTestServer(newOnly, { dataDir });
    const relisted = await server.request('GET', '/api/v1/end-users/rot_user/connections', {
      token: sandboxKey,
    });
    expect(relisted.body).toEqual([expect.objectContaining({ id: connectionId, status: 'connected' })]);
    expect(await getFreshTokens(server.started.app.deps, connectionId)).toMatchObject({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    });
    const restarted = await newSession(server, live.key, {
      externalUserId: 'rot_live_2',
      platform: 'twitter',
    });
    expect(
      new URL(await new FlowClient(server).start(restarted.connectUrl)).searchParams.get('client_id'),
    ).toBe('x-rotation-client');
    // The flow left at the picker finishes in the same browser: its pending accounts decrypt.
    const sameBrowser = new FlowClient(server);
    for (const [name, value] of pickerBrowser.cookies) sameBrowser.cookies.set(name, value);
    const pickerPage = await sameBrowser.fetch(`/connect/${picker.id}/select`);
    expect(pickerPage.status).toBe(200);
    const account = /name="account" value="([^"]+)"/.exec(pickerPage.text)?.[1];
    expect(account).toBeDefined();
    const chosen = await sameBrowser.fetch(`/connect/${picker.id}/select`, { form: { account: account! } });
    expect(chosen.status).toBe(303);
    expect(new URL(chosen.location!).searchParams.get('status')).toBe('connected');
    // The webhook endpoint still signs with both of its secrets.
    const endpointRow = await server.started.database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', endpoint.body.id)
      .executeTakeFirstOrThrow();
    expect(endpointSecrets(server.started.app.deps, endpointRow, new Date())).toEqual(webhookSecrets);
    // And a new flow completes end to end.
    const fresh = await sandboxConnect(server, sandboxKey, 'rot_after');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    await server.close();
    expect(kidsOf(await encryptedValues(dataDir))).toEqual(new Set(['v1.new']));
  }, 60_000);

  // SQLite only: a second better-sqlite3 connection to the database file plays the running server,
  // writing synchronously in the middle of the command's read-modify-write.
  it.skipIf(onPostgres)(
    'never overwrites a value the running server changes while the command works on it (SQLite file)',
    async () => {
      const dataDir = tempDataDir();
      const oldKey = key32();
      const newKey = key32();
      const server = await startTestServer({ MYPOSTSHARE_ENCRYPTION_KEYS: `old:${oldKey}` }, { dataDir });
      const live = await server.createApp({ name: 'Racing' });
      await server.admin('PUT', `/admin/v1/apps/${live.appId}/credentials/twitter`, {
        mode: 'custom',
        clientId: 'x-race-client',
        clientSecret: 'x-race-secret-old',
      });
      const connectionId = await sandboxConnect(server, server.sandboxKey, 'race_user');
      const row = await server.started.database.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', connectionId)
        .executeTakeFirstOrThrow();
      await server.close();

      const entries = [
        { kid: 'new', key: Buffer.from(newKey, 'base64') },
        { kid: 'old', key: Buffer.from(oldKey, 'base64') },
      ];
      const serverKeys = new Keyring(entries);
      // Another connection to the same file stands for the running server (new key first).
      const other = new BetterSqlite3(path.join(dataDir, 'mypostshare.db'));
      const tokenAad = (column: string) => connectionTokenAad(column, row.end_user_id, 'linkedin');
      const secretAad = clientSecretAad(live.appId, 'twitter');
      const raced = new Set<string>();
      /** Just after the command has read a row and before it writes it back, the server changes that row. */
      class RacingKeyring extends Keyring {
        override reencrypt(ciphertext: string, associatedData: string): string {
          if (associatedData === tokenAad('access_token') && !raced.has('token')) {
            raced.add('token');
            // A token refresh: a rotated pair.
            other
              .prepare('UPDATE connections SET access_token_enc = ?, refresh_token_enc = ? WHERE id = ?')
              .run(
                serverKeys.encrypt('at-refreshed-meanwhile', tokenAad('access_token')),
                serverKeys.encrypt('rt-refreshed-meanwhile', tokenAad('refresh_token')),
                connectionId,
              );
          }
          if (associatedData === secretAad && !raced.has('secret')) {
            raced.add('secret');
            // The customer changes its client secret in the dashboard.
            other
              .prepare('UPDATE app_credentials SET client_secret_enc = ? WHERE app_id = ? AND platform = ?')
              .run(serverKeys.encrypt('x-race-secret-new', secretAad), live.appId, 'twitter');
          }
          return super.reencrypt(ciphertext, associatedData);
        }
      }

      const database = await openDatabase({ databaseUrl: undefined, dataDir });
      try {
        const result = await reencryptAll(database.db, new RacingKeyring(entries));
        expect(raced).toEqual(new Set(['token', 'secret']));
        expect(result.rewritten).toBeGreaterThan(0);
        const stored = await database.db
          .selectFrom('connections')
          .selectAll()
          .where('id', '=', connectionId)
          .executeTakeFirstOrThrow();
        const deps = { secrets: serverKeys } as unknown as Parameters<typeof decryptConnectionTokens>[0];
        expect(decryptConnectionTokens(deps, stored)).toMatchObject({
          accessToken: 'at-refreshed-meanwhile',
          refreshToken: 'rt-refreshed-meanwhile',
        });
        const credentials = await database.db
          .selectFrom('app_credentials')
          .selectAll()
          .where('app_id', '=', live.appId)
          .executeTakeFirstOrThrow();
        expect(serverKeys.decrypt(credentials.client_secret_enc!, secretAad)).toBe('x-race-secret-new');
      } finally {
        other.close();
        await database.close();
      }
      expect(kidsOf(await encryptedValues(dataDir))).toEqual(new Set(['v1.new']));
    },
  );
});

describe('start-up refuses a bad encryption key (security 22)', () => {
  const short = randomBytes(16).toString('base64');
  const valid = key32();
  it.each([
    ['a 16-byte key', { MYPOSTSHARE_ENCRYPTION_KEY: short }, 'MYPOSTSHARE_ENCRYPTION_KEY', short],
    [
      'a key that is not base64',
      { MYPOSTSHARE_ENCRYPTION_KEY: 'not*base64*but-a-secret!' },
      'MYPOSTSHARE_ENCRYPTION_KEY',
      'not*base64*but-a-secret!',
    ],
    [
      'a 16-byte key in the keyring',
      { MYPOSTSHARE_ENCRYPTION_KEYS: `new:${short}` },
      'MYPOSTSHARE_ENCRYPTION_KEYS',
      short,
    ],
    [
      'a malformed old key in the keyring',
      { MYPOSTSHARE_ENCRYPTION_KEYS: `new:${valid},old:%%${short}` },
      'MYPOSTSHARE_ENCRYPTION_KEYS',
      short,
    ],
    [
      'a keyring entry without its key id',
      { MYPOSTSHARE_ENCRYPTION_KEYS: valid },
      'MYPOSTSHARE_ENCRYPTION_KEYS',
      valid,
    ],
  ])(
    '%s: exits non-zero naming the variable, never printing the key',
    async (_name, env, variable, secret) => {
      const dataDir = tempDataDir();
      const run = await runMain([], { MYPOSTSHARE_DATA_DIR: dataDir, PORT: '0', ...env });
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain(variable);
      expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
      expect(run.stdout).not.toContain('listening on');
      // Refused before anything was written.
      expect(fs.existsSync(path.join(dataDir, 'mypostshare.db'))).toBe(false);
    },
  );

  it('the reencrypt command refuses a bad key the same way', async () => {
    const run = await runMain(['reencrypt'], {
      MYPOSTSHARE_DATA_DIR: tempDataDir(),
      MYPOSTSHARE_ENCRYPTION_KEYS: `new:${short}`,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('MYPOSTSHARE_ENCRYPTION_KEYS');
    expect(run.stderr).not.toContain(short);
  });
});
