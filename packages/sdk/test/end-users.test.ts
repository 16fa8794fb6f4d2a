import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { APIError, ValidationError } from '../src/index.js';
import { API_KEY, makeClient, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

// The response bodies below are copied verbatim from reference/api-reference.txt.
const REFERENCE_UPSERT = `{
  "id": "4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89",
  "externalUserId": "user_123",
  "displayName": "Alex Morgan",
  "email": "alex@example.com",
  "metadata": { "plan": "pro", "source": "web-app" },
  "createdAt": "2026-03-21T08:00:00.000Z",
  "updatedAt": "2026-03-21T08:00:00.000Z"
}`;

const REFERENCE_GET = `{
  "id": "4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89",
  "externalUserId": "user_123",
  "displayName": "Alex Morgan",
  "email": "alex@example.com",
  "connectionSummary": { "total": 2, "connected": 1, "failed": 0 }
}`;

const REFERENCE_CONNECTIONS = `[
  {
    "id": "7c7f00f5-3412-4546-8cb7-3f095b16fe49",
    "platform": "linkedin",
    "status": "connected",
    "remoteAccountId": "H8a9UFibz4",
    "remoteUsername": "ALEX_MORGAN",
    "accountType": "person"
  }
]`;

const json = (text: string, status = 200) =>
  new HttpResponse(text, { status, headers: { 'content-type': 'application/json' } });

describe('endUsers.upsert', () => {
  it('posts the reference example and returns the documented end user', async () => {
    let body: unknown;
    server.use(
      http.post(url('/v1/end-users'), async ({ request }) => {
        body = await request.json();
        return json(REFERENCE_UPSERT);
      }),
    );
    const user = await makeClient().endUsers.upsert({
      externalUserId: 'user_123',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro', source: 'web-app' },
    });

    expect(user).toEqual({
      id: '4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89',
      externalUserId: 'user_123',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro', source: 'web-app' },
      createdAt: '2026-03-21T08:00:00.000Z',
      updatedAt: '2026-03-21T08:00:00.000Z',
    });
    expect(body).toEqual({
      externalUserId: 'user_123',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro', source: 'web-app' },
    });
    const [request] = requests;
    expect(request?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('accept')).toBe('application/json');
    expect(request?.headers.get('idempotency-key')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('generates a fresh Idempotency-Key per call', async () => {
    server.use(http.post(url('/v1/end-users'), () => json(REFERENCE_UPSERT)));
    const client = makeClient();
    await client.endUsers.upsert({ externalUserId: 'user_123' });
    await client.endUsers.upsert({ externalUserId: 'user_123' });
    const [first, second] = requests.map((request) => request.headers.get('idempotency-key'));
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(first).not.toBe(second);
  });

  it('sends a caller-chosen Idempotency-Key as is, and none when told null', async () => {
    server.use(http.post(url('/v1/end-users'), () => json(REFERENCE_UPSERT)));
    const client = makeClient();
    await client.endUsers.upsert({ externalUserId: 'user_123' }, { idempotencyKey: 'signup:user_123' });
    await client.endUsers.upsert({ externalUserId: 'user_123' }, { idempotencyKey: null });
    expect(requests.map((request) => request.headers.get('idempotency-key'))).toEqual([
      'signup:user_123',
      null,
    ]);
  });
});

describe('endUsers.retrieve', () => {
  it('returns the documented profile with its connection summary', async () => {
    server.use(http.get(url('/v1/end-users/user_123'), () => json(REFERENCE_GET)));
    const user = await makeClient().endUsers.retrieve('user_123');
    expect(user.externalUserId).toBe('user_123');
    expect(user.connectionSummary).toEqual({ total: 2, connected: 1, failed: 0 });
    expect(user).toEqual(JSON.parse(REFERENCE_GET));
    expect(requests[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('keeps fields the reference does not list', async () => {
    const extended = { ...JSON.parse(REFERENCE_GET), metadata: {}, tier: 'future-field' };
    server.use(http.get(url('/v1/end-users/user_123'), () => HttpResponse.json(extended)));
    expect(await makeClient().endUsers.retrieve('user_123')).toEqual(extended);
  });

  it('encodes the external user id as one path segment', async () => {
    server.use(
      http.get(url('/v1/end-users/:externalUserId'), ({ params }) =>
        HttpResponse.json({ ...JSON.parse(REFERENCE_GET), externalUserId: params.externalUserId }),
      ),
    );
    const user = await makeClient().endUsers.retrieve('a/b c');
    expect(requests[0]?.url).toBe(url('/v1/end-users/a%2Fb%20c'));
    expect(user.externalUserId).toBe('a/b c');
  });

  it('encodes characters that would otherwise start a query or a fragment', async () => {
    server.use(http.get(url('/v1/end-users/:externalUserId'), () => json(REFERENCE_GET)));
    await makeClient().endUsers.retrieve('?x=1#y%');
    expect(requests[0]?.url).toBe(url('/v1/end-users/%3Fx%3D1%23y%25'));
  });
});

describe('endUsers.listConnections', () => {
  it('returns the documented connections', async () => {
    server.use(http.get(url('/v1/end-users/user_123/connections'), () => json(REFERENCE_CONNECTIONS)));
    const connections = await makeClient().endUsers.listConnections('user_123');
    expect(connections).toHaveLength(1);
    expect(connections[0]).toEqual({
      id: '7c7f00f5-3412-4546-8cb7-3f095b16fe49',
      platform: 'linkedin',
      status: 'connected',
      remoteAccountId: 'H8a9UFibz4',
      remoteUsername: 'ALEX_MORGAN',
      accountType: 'person',
    });
  });

  it('encodes the external user id', async () => {
    server.use(http.get(url('/v1/end-users/:externalUserId/connections'), () => json('[]')));
    expect(await makeClient().endUsers.listConnections('a/b c')).toEqual([]);
    expect(requests[0]?.url).toBe(url('/v1/end-users/a%2Fb%20c/connections'));
  });
});

describe('endUsers.disconnect', () => {
  it('resolves with nothing on 204', async () => {
    server.use(
      http.delete(
        url('/v1/end-users/user_123/connections/linkedin'),
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    await expect(makeClient().endUsers.disconnect('user_123', 'linkedin')).resolves.toBeUndefined();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('DELETE');
  });

  it('encodes both path parameters', async () => {
    server.use(
      http.delete(
        url('/v1/end-users/:externalUserId/connections/:platform'),
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    await makeClient().endUsers.disconnect('a/b c', 'youtube');
    expect(requests[0]?.url).toBe(url('/v1/end-users/a%2Fb%20c/connections/youtube'));
  });
});

describe('client-side validation', () => {
  const client = makeClient();

  const cases: [string, () => Promise<unknown>, string][] = [
    ['a missing externalUserId', () => client.endUsers.upsert({} as never), 'externalUserId'],
    ['an empty externalUserId', () => client.endUsers.upsert({ externalUserId: '' }), 'externalUserId'],
    [
      'an invalid email',
      () => client.endUsers.upsert({ externalUserId: 'u', email: 'not-an-email' }),
      'email',
    ],
    ['an unknown field', () => client.endUsers.upsert({ externalUserId: 'u', nickname: 'x' } as never), ''],
    [
      'metadata that is not an object',
      () => client.endUsers.upsert({ externalUserId: 'u', metadata: 'pro' as never }),
      'metadata',
    ],
    ['an empty id to retrieve', () => client.endUsers.retrieve(''), 'externalUserId'],
    ['a control character in the id', () => client.endUsers.listConnections('a\nb'), 'externalUserId'],
    [
      'an id of ".." that URL parsing would fold away',
      () => client.endUsers.retrieve('..'),
      'externalUserId',
    ],
    ['an unknown platform', () => client.endUsers.disconnect('u', 'myspace' as never), 'platform'],
    [
      'a malformed idempotency key',
      () => client.endUsers.upsert({ externalUserId: 'u' }, { idempotencyKey: 'has space' }),
      'idempotencyKey',
    ],
    ['a negative maxRetries', () => client.endUsers.retrieve('u', { maxRetries: -1 }), 'maxRetries'],
    ['a zero timeout', () => client.endUsers.retrieve('u', { timeout: 0 }), 'timeout'],
  ];

  it.each(cases)('rejects %s with a ValidationError and sends nothing', async (_name, call, field) => {
    const error = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(APIError);
    expect((error as ValidationError).details.map((detail) => detail.field)).toContain(field);
    expect(requests).toHaveLength(0);
  });
});
