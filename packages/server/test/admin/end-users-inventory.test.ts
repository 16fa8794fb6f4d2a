import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { seedConnection } from '../public/seed.js';
import {
  collectPages,
  detailFields,
  expectError,
  expectNewestFirst,
  ISO,
  MISSING_ID,
  sleep,
  UUID_V4,
} from './helpers.js';

const INVENTORY_FIELDS = [
  'connectionSummary',
  'createdAt',
  'displayName',
  'email',
  'externalUserId',
  'id',
  'updatedAt',
];
const NO_CONNECTIONS = { total: 0, connected: 0, failed: 0, expired: 0 };

interface InventoryEntry {
  id: string;
  externalUserId: string;
  displayName: string | null;
  email: string | null;
  connectionSummary: { total: number; connected: number; failed: number; expired: number };
  createdAt: string;
  updatedAt: string;
}

describe('admin API: end-user inventory', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** Upserts an end user through the public API with the app's key. */
  async function upsert(key: string, body: Record<string, unknown>) {
    const response = await server.request('POST', '/api/v1/end-users', { token: key, body });
    expect(response.status, response.text).toBe(200);
    return response.body as { id: string; externalUserId: string; createdAt: string };
  }

  async function inventory(appId: string) {
    const { items } = await collectPages(server, `/admin/v1/apps/${appId}/end-users?limit=200`, 200);
    return items as InventoryEntry[];
  }

  it("lists an app's end users newest first with their profile and a zero connectionSummary", async () => {
    const { appId, key } = await server.createApp({ name: 'Inventory' });
    const alex = await upsert(key, {
      externalUserId: 'user_alex',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro' },
    });
    await sleep(3);
    const sam = await upsert(key, { externalUserId: 'user_sam' });

    const response = await server.admin('GET', `/admin/v1/apps/${appId}/end-users`);
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(2);
    for (const entry of response.body) {
      expect(Object.keys(entry).sort()).toEqual(INVENTORY_FIELDS);
      expect(entry.id).toMatch(UUID_V4);
      expect(entry.createdAt).toMatch(ISO);
      expect(entry.updatedAt).toMatch(ISO);
    }
    expect(response.body).toEqual([
      {
        id: sam.id,
        externalUserId: 'user_sam',
        displayName: null,
        email: null,
        connectionSummary: NO_CONNECTIONS,
        createdAt: sam.createdAt,
        updatedAt: sam.createdAt,
      },
      {
        id: alex.id,
        externalUserId: 'user_alex',
        displayName: 'Alex Morgan',
        email: 'alex@example.com',
        connectionSummary: NO_CONNECTIONS,
        createdAt: alex.createdAt,
        updatedAt: alex.createdAt,
      },
    ]);
  });

  it('counts each user’s connections by status, agreeing with the public API', async () => {
    const { appId, key } = await server.createApp({ name: 'Summaries' });
    const busy = await upsert(key, { externalUserId: 'busy' });
    const idle = await upsert(key, { externalUserId: 'idle' });
    const tokens = ['inventory-access-token-1', 'inventory-access-token-2'];
    await seedConnection(server, { appId, endUserId: busy.id, platform: 'linkedin', accessToken: tokens[0] });
    await seedConnection(server, { appId, endUserId: busy.id, platform: 'youtube', accessToken: tokens[1] });
    await seedConnection(server, { appId, endUserId: busy.id, platform: 'twitter', status: 'expired' });
    await seedConnection(server, { appId, endUserId: busy.id, platform: 'facebook', status: 'failed' });
    await seedConnection(server, { appId, endUserId: idle.id, platform: 'instagram', status: 'expired' });

    const entries = await inventory(appId);
    const byUser = new Map(entries.map((entry) => [entry.externalUserId, entry]));
    expect(byUser.get('busy')?.connectionSummary).toEqual({ total: 4, connected: 2, failed: 1, expired: 1 });
    expect(byUser.get('idle')?.connectionSummary).toEqual({ total: 1, connected: 0, failed: 0, expired: 1 });
    // One row per user however many connections it has.
    expect(entries.map((entry) => entry.externalUserId).sort()).toEqual(['busy', 'idle']);
    // Never a token.
    const text = JSON.stringify(entries);
    for (const token of tokens) expect(text).not.toContain(token);

    for (const externalUserId of ['busy', 'idle']) {
      const fromPublic = await server.request('GET', `/api/v1/end-users/${externalUserId}`, { token: key });
      expect(fromPublic.body.connectionSummary).toMatchObject({
        total: byUser.get(externalUserId)!.connectionSummary.total,
        connected: byUser.get(externalUserId)!.connectionSummary.connected,
        failed: byUser.get(externalUserId)!.connectionSummary.failed,
      });
    }

    // Disconnecting through the public API shows in the inventory.
    const disconnected = await server.request('DELETE', '/api/v1/end-users/busy/connections/linkedin', {
      token: key,
    });
    expect(disconnected.status).toBe(204);
    const after = (await inventory(appId)).find((entry) => entry.externalUserId === 'busy');
    expect(after?.connectionSummary).toEqual({ total: 3, connected: 1, failed: 1, expired: 1 });
  });

  it('shows an upserted user once, with the latest profile', async () => {
    const { appId, key } = await server.createApp({ name: 'Upserts' });
    const first = await upsert(key, { externalUserId: 'same_user', displayName: 'Before' });
    await sleep(3);
    await upsert(key, { externalUserId: 'same_user', displayName: 'After', email: 'after@example.com' });
    const entries = await inventory(appId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      id: first.id,
      externalUserId: 'same_user',
      displayName: 'After',
      email: 'after@example.com',
      createdAt: first.createdAt,
    });
    expect(entries[0]!.updatedAt > first.createdAt).toBe(true);
  });

  it('shows nothing from another app, even for the same externalUserId', async () => {
    const a = await server.createApp({ name: 'Inventory A' });
    const b = await server.createApp({ name: 'Inventory B' });
    const inA = await upsert(a.key, { externalUserId: 'shared_id', displayName: 'In A' });
    await upsert(a.key, { externalUserId: 'only_in_a' });
    const inB = await upsert(b.key, {
      externalUserId: 'shared_id',
      displayName: 'In B',
      email: 'b@example.com',
    });
    await upsert(b.key, { externalUserId: 'only_in_b' });
    await seedConnection(server, { appId: b.appId, endUserId: inB.id, platform: 'linkedin' });
    await seedConnection(server, { appId: b.appId, endUserId: inB.id, platform: 'twitter' });

    const entriesA = await inventory(a.appId);
    expect(entriesA.map((entry) => entry.externalUserId).sort()).toEqual(['only_in_a', 'shared_id']);
    const sharedA = entriesA.find((entry) => entry.externalUserId === 'shared_id')!;
    expect(sharedA).toMatchObject({
      id: inA.id,
      displayName: 'In A',
      email: null,
      connectionSummary: NO_CONNECTIONS,
    });
    expect(JSON.stringify(entriesA)).not.toContain('b@example.com');
    expect(JSON.stringify(entriesA)).not.toContain(inB.id);

    const entriesB = await inventory(b.appId);
    expect(entriesB.map((entry) => entry.externalUserId).sort()).toEqual(['only_in_b', 'shared_id']);
    expect(entriesB.find((entry) => entry.externalUserId === 'shared_id')).toMatchObject({
      id: inB.id,
      displayName: 'In B',
      connectionSummary: { total: 2, connected: 2, failed: 0, expired: 0 },
    });
  });

  it('is empty for an app without end users', async () => {
    const { appId } = await server.createApp({ name: 'Empty' });
    const response = await server.admin('GET', `/admin/v1/apps/${appId}/end-users`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(response.headers.get('link')).toBeNull();
  });

  it('paginates with Link rel="next" until exhausted: newest first, no duplicates, counts intact', async () => {
    const { appId, key } = await server.createApp({ name: 'Paged inventory' });
    const created: string[] = [];
    for (let index = 0; index < 8; index += 1) {
      const user = await upsert(key, { externalUserId: `paged_${index}` });
      created.push(user.id);
      // Several connections per user must not shift page boundaries.
      await seedConnection(server, { appId, endUserId: user.id, platform: 'linkedin' });
      await seedConnection(server, { appId, endUserId: user.id, platform: 'youtube' });
      await sleep(3);
    }
    const { items, pages } = await collectPages(server, `/admin/v1/apps/${appId}/end-users?limit=3`, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
    expect(items.map((entry: InventoryEntry) => entry.id)).toEqual([...created].reverse());
    expectNewestFirst(items);
    for (const entry of items as InventoryEntry[]) {
      expect(entry.connectionSummary).toEqual({ total: 2, connected: 2, failed: 0, expired: 0 });
    }
  });

  it('refuses limit > 200, a bogus cursor and unknown parameters; 404 for an unknown app', async () => {
    const { appId } = await server.createApp({ name: 'Inventory errors' });
    for (const [query, field] of [
      ['limit=1000', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=!!', 'cursor'],
      [`cursor=${Buffer.from('["only-one"]').toString('base64url')}`, 'cursor'],
      ['externalUserId=x', 'externalUserId'],
    ] as const) {
      const error = expectError(
        await server.admin('GET', `/admin/v1/apps/${appId}/end-users?${query}`),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual([field]);
    }
    expectError(await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/end-users`), 404, 'not_found');
  });

  it('loses the end users of a deleted app', async () => {
    const { appId, key } = await server.createApp({ name: 'Deleted with users' });
    await upsert(key, { externalUserId: 'gone_user' });
    expect((await server.admin('DELETE', `/admin/v1/apps/${appId}`)).status).toBe(204);
    expectError(await server.admin('GET', `/admin/v1/apps/${appId}/end-users`), 404, 'not_found');
    const leftover = await server.started.database.db
      .selectFrom('end_users')
      .select('id')
      .where('app_id', '=', appId)
      .execute();
    expect(leftover).toEqual([]);
  });
});
