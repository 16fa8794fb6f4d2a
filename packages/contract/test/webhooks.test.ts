import { describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  CreateWebhookEndpointRequest,
  routes,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_EVENT_TYPE,
  WebhookEvent,
  WebhookEventType,
} from '../src/index.js';

const postData = {
  postId: '3f0c8a8e-6d55-4a0b-9a59-2b7a8f1e4c11',
  status: 'published',
  mode: 'immediate',
  externalUserId: 'user_123',
  scheduleAt: null,
  platforms: ['linkedin'],
  platformResults: [{ platform: 'linkedin', status: 'published', externalId: 'urn:li:share:1' }],
  metadata: {},
};

describe('the webhook contract', () => {
  it('has the closed list of nine subscribable event types; the test event is not one of them', () => {
    expect(WEBHOOK_EVENT_TYPES).toEqual([
      'connect_session.completed',
      'connect_session.failed',
      'connection.expiring',
      'connection.expired',
      'connection.deleted',
      'post.published',
      'post.partially_published',
      'post.failed',
      'post.canceled',
    ]);
    expect(WebhookEventType.safeParse(WEBHOOK_TEST_EVENT_TYPE).success).toBe(false);
  });

  it('validates endpoint creation strictly: https URL string, known and distinct events', () => {
    expect(
      CreateWebhookEndpointRequest.parse({
        url: 'https://client.example.com/hooks',
        events: ['post.failed'],
      }),
    ).toEqual({ url: 'https://client.example.com/hooks', events: ['post.failed'] });
    for (const body of [
      { url: 'https://client.example.com/hooks', secret: 'whsec_mine' },
      { url: 'https://client.example.com/hooks', events: ['post.failed', 'post.failed'] },
      { url: 'https://client.example.com/hooks', events: ['post.*'] },
      { url: 'https://client.example.com/hooks', events: [] },
      { events: ['post.failed'] },
    ]) {
      expect(CreateWebhookEndpointRequest.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });

  it('types event payloads by `type` and tolerates new fields', () => {
    const event = WebhookEvent.parse({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      type: 'post.published',
      createdAt: '2026-11-29T10:00:00.000Z',
      data: { ...postData, somethingNew: true },
    });
    expect(event.type).toBe('post.published');
    if (event.type === 'post.published')
      expect(event.data.platformResults[0]?.externalId).toBe('urn:li:share:1');
    // A post payload under a connection type does not pass.
    expect(
      WebhookEvent.safeParse({
        id: 'msg_1',
        type: 'connection.deleted',
        createdAt: event.createdAt,
        data: postData,
      }).success,
    ).toBe(false);
    expect(
      WebhookEvent.safeParse({
        id: 'msg_1',
        type: 'post.exploded',
        createdAt: event.createdAt,
        data: postData,
      }).success,
    ).toBe(false);
  });

  it('documents the webhook routes in OpenAPI; creation and rotation take no Idempotency-Key', () => {
    const document = buildOpenApiDocument({ serverUrl: 'https://mypostshare.example.com', version: '1.0.0' });
    const paths = document.paths as Record<string, Record<string, any>>;
    expect(paths['/api/v1/webhook-endpoints']?.post.operationId).toBe('createWebhookEndpoint');
    expect(paths['/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry']?.post.operationId).toBe(
      'retryWebhookDelivery',
    );
    expect(paths['/admin/v1/apps/{appId}/webhook-endpoints']?.get.operationId).toBe(
      'listAppWebhookEndpoints',
    );
    // Their answers carry the secret, which must never sit in plaintext in the idempotency store.
    expect(routes.createWebhookEndpoint).not.toHaveProperty('idempotent');
    expect(routes.rotateWebhookSecret).not.toHaveProperty('idempotent');
    const header = (operation: any) =>
      (operation.parameters ?? []).some((parameter: any) => parameter.name === 'Idempotency-Key');
    expect(header(paths['/api/v1/webhook-endpoints']?.post)).toBe(false);
    expect(header(paths['/api/v1/webhook-endpoints/{id}/test']?.post)).toBe(true);
  });
});
