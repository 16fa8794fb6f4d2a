import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  ERROR_CODES,
  ERROR_STATUS,
  ErrorBody,
  PLATFORMS,
  routes,
  SetCredentialsRequest,
  UpsertEndUserRequest,
} from '../src/index.js';

describe('the contract', () => {
  it('lists the five platforms', () => {
    expect(PLATFORMS).toEqual(['linkedin', 'facebook', 'instagram', 'twitter', 'youtube']);
  });

  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(ERROR_STATUS[code]).toBeLessThan(600);
    }
    expect(ErrorBody.safeParse({ error: { code: 'made_up', message: 'x', requestId: 'r' } }).success).toBe(
      false,
    );
  });

  it('accepts the reference upsert example and rejects unknown fields', () => {
    const example = {
      externalUserId: 'user_123',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro', source: 'web-app' },
    };
    expect(UpsertEndUserRequest.parse(example)).toEqual(example);
    const withExtra = UpsertEndUserRequest.safeParse({ ...example, role: 'admin' });
    expect(withExtra.success).toBe(false);
  });

  it('requires a client id and secret for custom credentials only', () => {
    expect(SetCredentialsRequest.safeParse({ mode: 'custom', clientId: 'id' }).success).toBe(false);
    expect(SetCredentialsRequest.safeParse({ mode: 'managed' }).success).toBe(true);
    expect(SetCredentialsRequest.safeParse({ mode: 'managed', clientSecret: 'x' }).success).toBe(false);
  });

  it('gives every route a unique method and path', () => {
    const seen = new Set<string>();
    for (const definition of Object.values(routes)) {
      const key = `${definition.method} ${definition.path}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });
});

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument({ serverUrl: 'https://mypostshare.example.com', version: '1.2.3' });

  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every contract route under its operation id', () => {
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId: string }>).map(
        (operation) => operation.operationId,
      ),
    );
    expect(operationIds.sort()).toEqual(Object.keys(routes).sort());
  });

  it('derives request schemas from zod, strict where the server is strict', () => {
    const post = (document.paths['/api/v1/end-users'] as Record<string, any>).post;
    const schema = post.requestBody.content['application/json'].schema;
    const resolved = schema.$ref
      ? (document.components.schemas as Record<string, any>)[schema.$ref.split('/').pop()]
      : schema;
    expect(resolved.required).toEqual(['externalUserId']);
    expect(resolved.additionalProperties).toBe(false);
    expect(post.responses['200']).toBeDefined();
    expect(post.responses['400']).toBeDefined();
  });

  it('can be narrowed to the operations a server serves', () => {
    const narrow = buildOpenApiDocument({
      serverUrl: 'http://localhost',
      version: '0',
      operations: ['healthz'],
    });
    expect(Object.keys(narrow.paths)).toEqual(['/healthz']);
  });
});
