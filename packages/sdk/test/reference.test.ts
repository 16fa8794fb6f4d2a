import fs from 'node:fs';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { API_KEY, jsonText, makeClient, mockApi, url } from './mock-api.js';
import { REFERENCE, REFERENCE_REQUESTS } from './reference.js';

// Every public route of reference/api-reference.txt, driven through the SDK with the reference's
// own request example, against a mock that answers the reference's documented response verbatim.

const { server, requests } = mockApi();

/** Serves a documented response byte for byte and remembers the body the SDK sent. */
function serve(method: 'get' | 'post' | 'delete', path: string, reference: { status: number; body: string }) {
  const sent: { body?: unknown } = {};
  server.use(
    http[method](url(path), async ({ request }) => {
      const text = await request.text();
      sent.body = text ? JSON.parse(text) : undefined;
      // A 204 cannot carry a body: the reference's `{}` is illustrative (DESIGN.md), the server sends none.
      if (reference.status === 204) return new HttpResponse(null, { status: 204 });
      return jsonText(reference.body, reference.status);
    }),
  );
  return sent;
}

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('the reference examples, replayed verbatim', () => {
  it('POST /v1/end-users: client.endUsers.upsert', async () => {
    const sent = serve('post', '/v1/end-users', REFERENCE.upsertEndUser);
    const user = await makeClient().endUsers.upsert(parse(REFERENCE_REQUESTS.upsertEndUser) as never);
    expect(user).toEqual(JSON.parse(REFERENCE.upsertEndUser.body));
    expect(sent.body).toEqual(JSON.parse(REFERENCE_REQUESTS.upsertEndUser));
    expect(requests[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(requests[0]?.headers.get('content-type')).toBe('application/json');
  });

  it('GET /v1/end-users/:externalUserId: client.endUsers.retrieve', async () => {
    serve('get', '/v1/end-users/user_123', REFERENCE.getEndUser);
    const user = await makeClient().endUsers.retrieve('user_123');
    expect(user).toEqual(JSON.parse(REFERENCE.getEndUser.body));
    expect(user.connectionSummary.connected).toBe(1);
  });

  it('GET /v1/end-users/:externalUserId/connections: client.endUsers.listConnections', async () => {
    serve('get', '/v1/end-users/user_123/connections', REFERENCE.listEndUserConnections);
    const connections = await makeClient().endUsers.listConnections('user_123');
    expect(connections).toEqual(JSON.parse(REFERENCE.listEndUserConnections.body));
    expect(connections[0]?.platform).toBe('linkedin');
  });

  it('DELETE /v1/end-users/:externalUserId/connections/:platform: client.endUsers.disconnect', async () => {
    serve('delete', '/v1/end-users/user_123/connections/linkedin', REFERENCE.disconnectPlatform);
    await expect(makeClient().endUsers.disconnect('user_123', 'linkedin')).resolves.toBeUndefined();
    expect(requests.map((request) => [request.method, request.url])).toEqual([
      ['DELETE', url('/v1/end-users/user_123/connections/linkedin')],
    ]);
  });

  it('POST /v1/connect-sessions: client.connectSessions.create', async () => {
    const sent = serve('post', '/v1/connect-sessions', REFERENCE.createConnectSession);
    const session = await makeClient().connectSessions.create(
      parse(REFERENCE_REQUESTS.createConnectSession) as never,
    );
    expect(session).toEqual(JSON.parse(REFERENCE.createConnectSession.body));
    expect(session.connectUrl).toBe('https://mypostshare.com/connect/9469c610-999a-4cb0-9807-a7037947d6b5');
    expect(sent.body).toEqual(JSON.parse(REFERENCE_REQUESTS.createConnectSession));
    expect(requests[0]?.headers.get('idempotency-key')).toBeTruthy();
  });

  it('GET /v1/connect-sessions/:id: client.connectSessions.retrieve', async () => {
    serve('get', '/v1/connect-sessions/9469c610-999a-4cb0-9807-a7037947d6b5', REFERENCE.getConnectSession);
    const session = await makeClient().connectSessions.retrieve('9469c610-999a-4cb0-9807-a7037947d6b5');
    expect(session).toEqual(JSON.parse(REFERENCE.getConnectSession.body));
    expect(session.errorCode).toBeNull();
  });

  it('POST /v1/posts: client.posts.publish', async () => {
    const sent = serve('post', '/v1/posts', REFERENCE.publishPost);
    const post = await makeClient().posts.publish(parse(REFERENCE_REQUESTS.publishPost) as never);
    expect(post).toEqual(JSON.parse(REFERENCE.publishPost.body));
    expect(post.platformResults[0]?.externalId).toBe('urn:li:share:7441018768555757568');
    expect(sent.body).toEqual(JSON.parse(REFERENCE_REQUESTS.publishPost));
    expect(requests[0]?.headers.get('idempotency-key')).toBeTruthy();
  });

  it('POST /v1/posts/scheduled: client.posts.schedule', async () => {
    const sent = serve('post', '/v1/posts/scheduled', REFERENCE.schedulePost);
    const post = await makeClient().posts.schedule(parse(REFERENCE_REQUESTS.schedulePost) as never);
    expect(post).toEqual(JSON.parse(REFERENCE.schedulePost.body));
    expect(post.status).toBe('scheduled');
    expect(sent.body).toEqual(JSON.parse(REFERENCE_REQUESTS.schedulePost));
  });

  it('GET /v1/posts/:id: client.posts.retrieve', async () => {
    serve('get', '/v1/posts/e3143cd2-fb9e-42cf-aa45-f7e711d4823d', REFERENCE.getPost);
    const post = await makeClient().posts.retrieve('e3143cd2-fb9e-42cf-aa45-f7e711d4823d');
    expect(post).toEqual(JSON.parse(REFERENCE.getPost.body));
  });

  it('GET /v1/posts?externalUserId=user_123&status=published: client.posts.list', async () => {
    serve('get', '/v1/posts', REFERENCE.listPosts);
    const page = await makeClient().posts.list({ externalUserId: 'user_123', status: 'published' });
    expect(page.data).toEqual(JSON.parse(REFERENCE.listPosts.body));
    expect(page.hasNextPage()).toBe(false);
    expect(requests[0]?.url).toBe(url('/v1/posts?externalUserId=user_123&status=published'));
  });
});

// The fixtures above must stay the reference's exact text. The reference lives outside this
// repository; where it is not checked out (CI), this check has nothing to compare with.
const REFERENCE_FILE = new URL('../../../../shared/reference/api-reference.txt', import.meta.url);
const referenceText = fs.existsSync(REFERENCE_FILE) ? fs.readFileSync(REFERENCE_FILE, 'utf8') : undefined;

describe.skipIf(referenceText === undefined)('the fixtures', () => {
  it.each(Object.entries(REFERENCE))('%s is the reference text, byte for byte', (_name, reference) => {
    expect(referenceText).toContain(`JSON\n${reference.body}\n`);
  });

  it.each(Object.entries(REFERENCE_REQUESTS))('the %s request is the reference text', (_name, body) => {
    expect(referenceText).toContain(`-d '${body}'`);
  });
});
