import { type OperationId, type RouteDefinition, routes } from '@mypostshare/contract';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { MyPostShareAdmin } from '../src/admin.js';
import type { MyPostShare } from '../src/index.js';
import { ADMIN_TOKEN, API_KEY, makeAdmin, makeClient, mockApi, ORIGIN } from './mock-api.js';

// Every operation of the contract's route registry has an SDK method, and that method sends the
// operation's method to its path. The map is typed `Record<OperationId, ...>`, so a route added to
// the contract without an SDK method fails the type check.

const { server, requests } = mockApi();

const APP_ID = 'b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10';
const KEY_ID = '5b7f0d7e-2f0a-4a51-8a43-0c7e5e9f3b21';
const URI_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const POST_ID = 'e3143cd2-fb9e-42cf-aa45-f7e711d4823d';
const SESSION_ID = '9469c610-999a-4cb0-9807-a7037947d6b5';
const HOOK_ID = '3d5f1a1e-7c2b-4b8e-9f0a-2e6c1d4b5a69';
const DELIVERY_ID = '8a1c2e3f-4b5d-4e6f-8a7b-9c0d1e2f3a4b';
const POST_BODY = { externalUserId: 'user_123', content: 'Hello', platforms: ['linkedin' as const] };

type Invoke = (client: MyPostShare, admin: MyPostShareAdmin) => PromiseLike<unknown>;

const CALLS: Record<OperationId, { call: Invoke; params?: Record<string, string> }> = {
  healthz: { call: (_client, admin) => admin.health() },
  readyz: { call: (_client, admin) => admin.readiness() },
  upsertEndUser: { call: (client) => client.endUsers.upsert({ externalUserId: 'user_123' }) },
  getEndUser: {
    call: (client) => client.endUsers.retrieve('user_123'),
    params: { externalUserId: 'user_123' },
  },
  listEndUserConnections: {
    call: (client) => client.endUsers.listConnections('user_123'),
    params: { externalUserId: 'user_123' },
  },
  disconnectPlatform: {
    call: (client) => client.endUsers.disconnect('user_123', 'twitter'),
    params: { externalUserId: 'user_123', platform: 'twitter' },
  },
  deleteEndUser: {
    call: (client) => client.endUsers.delete('user_123'),
    params: { externalUserId: 'user_123' },
  },
  createConnectSession: {
    call: (client) =>
      client.connectSessions.create({
        externalUserId: 'user_123',
        platform: 'linkedin',
        redirectUri: 'https://client.example.com/oauth/callback',
      }),
  },
  getConnectSession: {
    call: (client) => client.connectSessions.retrieve(SESSION_ID),
    params: { id: SESSION_ID },
  },
  publishPost: { call: (client) => client.posts.publish(POST_BODY) },
  schedulePost: {
    call: (client) => client.posts.schedule({ ...POST_BODY, scheduleAt: '2030-01-01T09:30:00.000Z' }),
  },
  getPost: { call: (client) => client.posts.retrieve(POST_ID), params: { id: POST_ID } },
  listPosts: { call: (client) => client.posts.list() },
  cancelPost: { call: (client) => client.posts.cancel(POST_ID), params: { id: POST_ID } },
  updatePost: {
    call: (client) => client.posts.update(POST_ID, { content: 'Edited' }),
    params: { id: POST_ID },
  },
  retryPost: { call: (client) => client.posts.retry(POST_ID), params: { id: POST_ID } },
  validatePost: { call: (client) => client.posts.validate(POST_BODY) },
  listPlatforms: { call: (client) => client.platforms.list() },
  createWebhookEndpoint: {
    call: (client) => client.webhookEndpoints.create({ url: 'https://client.example.com/hooks' }),
  },
  listWebhookEndpoints: { call: (client) => client.webhookEndpoints.list() },
  getWebhookEndpoint: {
    call: (client) => client.webhookEndpoints.retrieve(HOOK_ID),
    params: { id: HOOK_ID },
  },
  deleteWebhookEndpoint: {
    call: (client) => client.webhookEndpoints.delete(HOOK_ID),
    params: { id: HOOK_ID },
  },
  rotateWebhookSecret: {
    call: (client) => client.webhookEndpoints.rotateSecret(HOOK_ID),
    params: { id: HOOK_ID },
  },
  testWebhookEndpoint: { call: (client) => client.webhookEndpoints.test(HOOK_ID), params: { id: HOOK_ID } },
  listWebhookDeliveries: {
    call: (client) => client.webhookEndpoints.listDeliveries(HOOK_ID, { status: 'failed' }),
    params: { id: HOOK_ID },
  },
  retryWebhookDelivery: {
    call: (client) => client.webhookEndpoints.retryDelivery(HOOK_ID, DELIVERY_ID),
    params: { id: HOOK_ID, deliveryId: DELIVERY_ID },
  },
  createApp: { call: (_client, admin) => admin.apps.create({ name: 'Acme' }) },
  listApps: { call: (_client, admin) => admin.apps.list() },
  getApp: { call: (_client, admin) => admin.apps.retrieve(APP_ID), params: { appId: APP_ID } },
  updateApp: {
    call: (_client, admin) => admin.apps.update(APP_ID, { name: 'Renamed' }),
    params: { appId: APP_ID },
  },
  deleteApp: { call: (_client, admin) => admin.apps.delete(APP_ID), params: { appId: APP_ID } },
  createApiKey: { call: (_client, admin) => admin.apiKeys.create(APP_ID), params: { appId: APP_ID } },
  listApiKeys: { call: (_client, admin) => admin.apiKeys.list(APP_ID), params: { appId: APP_ID } },
  revokeApiKey: {
    call: (_client, admin) => admin.apiKeys.revoke(APP_ID, KEY_ID),
    params: { appId: APP_ID, keyId: KEY_ID },
  },
  addRedirectUri: {
    call: (_client, admin) => admin.redirectUris.add(APP_ID, { uri: 'https://client.example.com/cb' }),
    params: { appId: APP_ID },
  },
  listRedirectUris: { call: (_client, admin) => admin.redirectUris.list(APP_ID), params: { appId: APP_ID } },
  removeRedirectUri: {
    call: (_client, admin) => admin.redirectUris.remove(APP_ID, URI_ID),
    params: { appId: APP_ID, id: URI_ID },
  },
  setCredentials: {
    call: (_client, admin) => admin.credentials.set(APP_ID, 'youtube', { mode: 'managed' }),
    params: { appId: APP_ID, platform: 'youtube' },
  },
  listCredentials: { call: (_client, admin) => admin.credentials.list(APP_ID), params: { appId: APP_ID } },
  resetCredentials: {
    call: (_client, admin) => admin.credentials.reset(APP_ID, 'linkedin'),
    params: { appId: APP_ID, platform: 'linkedin' },
  },
  listRequestLogs: { call: (_client, admin) => admin.logs.list(APP_ID), params: { appId: APP_ID } },
  listAppEndUsers: { call: (_client, admin) => admin.endUsers.list(APP_ID), params: { appId: APP_ID } },
  createAppWebhookEndpoint: {
    call: (_client, admin) =>
      admin.webhookEndpoints.create(APP_ID, { url: 'https://client.example.com/hooks' }),
    params: { appId: APP_ID },
  },
  listAppWebhookEndpoints: {
    call: (_client, admin) => admin.webhookEndpoints.list(APP_ID),
    params: { appId: APP_ID },
  },
  getAppWebhookEndpoint: {
    call: (_client, admin) => admin.webhookEndpoints.retrieve(APP_ID, HOOK_ID),
    params: { appId: APP_ID, id: HOOK_ID },
  },
  deleteAppWebhookEndpoint: {
    call: (_client, admin) => admin.webhookEndpoints.delete(APP_ID, HOOK_ID),
    params: { appId: APP_ID, id: HOOK_ID },
  },
  rotateAppWebhookSecret: {
    call: (_client, admin) => admin.webhookEndpoints.rotateSecret(APP_ID, HOOK_ID),
    params: { appId: APP_ID, id: HOOK_ID },
  },
  testAppWebhookEndpoint: {
    call: (_client, admin) => admin.webhookEndpoints.test(APP_ID, HOOK_ID),
    params: { appId: APP_ID, id: HOOK_ID },
  },
  listAppWebhookDeliveries: {
    call: (_client, admin) => admin.webhookEndpoints.listDeliveries(APP_ID, HOOK_ID),
    params: { appId: APP_ID, id: HOOK_ID },
  },
  retryAppWebhookDelivery: {
    call: (_client, admin) => admin.webhookEndpoints.retryDelivery(APP_ID, HOOK_ID, DELIVERY_ID),
    params: { appId: APP_ID, id: HOOK_ID, deliveryId: DELIVERY_ID },
  },
};

function successBody(route: RouteDefinition): Response {
  const { status, schema } = route.success;
  if (!schema) return new HttpResponse(null, { status });
  const isArray = (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'array';
  return HttpResponse.json(isArray ? [] : {}, { status });
}

describe('every contract route', () => {
  it.each(Object.keys(routes) as OperationId[])('%s has an SDK method that calls it', async (operationId) => {
    const route: RouteDefinition = routes[operationId];
    const { call, params = {} } = CALLS[operationId];
    const path = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => params[name] ?? `:${name}`);
    server.use(http[route.method](`${ORIGIN}${path}`, () => successBody(route)));

    await call(makeClient(), makeAdmin());

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe(route.method.toUpperCase());
    expect(new URL(request?.url ?? '').pathname).toBe(path);
    const token = route.path.startsWith('/admin/') || route.auth === 'none' ? ADMIN_TOKEN : API_KEY;
    expect(request?.headers.get('authorization')).toBe(`Bearer ${token}`);
    // The header goes exactly where the contract says the server honours it.
    expect(request?.headers.has('idempotency-key')).toBe(route.idempotent === true);
  });
});
