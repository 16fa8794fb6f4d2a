import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';

type Schema = Record<string, any>;

describe('GET /api/openapi.json', () => {
  let server: TestServer;
  let doc: Schema;
  beforeAll(async () => {
    server = await startTestServer();
    const response = await server.request('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = response.body;
  });
  afterAll(() => server.close());

  /** Follows a local `$ref` to its target. */
  const resolve = (schema: Schema): Schema => {
    if (typeof schema.$ref !== 'string') return schema;
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Schema, part: string) => node?.[part], doc);
    expect(target, schema.$ref).toBeDefined();
    return resolve(target);
  };

  it('is OpenAPI 3.1.0 and valid against the OpenAPI schema', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    expect(result.valid).toBe(true);
  });

  it('needs no authentication', async () => {
    const response = await server.request('GET', '/api/openapi.json', { token: 'mps_live_wrong' });
    expect(response.status).toBe(200);
  });

  it('lists the public end-user routes and the admin apps route', () => {
    for (const path of [
      '/api/v1/end-users',
      '/api/v1/end-users/{externalUserId}',
      '/api/v1/end-users/{externalUserId}/connections',
      '/api/v1/end-users/{externalUserId}/connections/{platform}',
      '/admin/v1/apps',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/api/v1/end-users'].post.operationId).toBe('upsertEndUser');
    expect(doc.paths['/api/v1/end-users/{externalUserId}'].get.responses).toHaveProperty(['200']);
    expect(
      doc.paths['/api/v1/end-users/{externalUserId}/connections/{platform}'].delete.responses,
    ).toHaveProperty(['204']);
    expect(doc.paths['/admin/v1/apps'].post).toBeDefined();
    expect(doc.servers[0].url).toBe(server.baseUrl);
  });

  it('documents the upsert request body as closed (additionalProperties false) with externalUserId required', () => {
    const body = resolve(doc.paths['/api/v1/end-users'].post.requestBody.content['application/json'].schema);
    expect(body.type).toBe('object');
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['externalUserId']);
    expect(Object.keys(body.properties).sort()).toEqual([
      'displayName',
      'email',
      'externalUserId',
      'metadata',
    ]);
  });

  it('documents the reference response fields of upsert and get', () => {
    const upsert = resolve(
      doc.paths['/api/v1/end-users'].post.responses['200'].content['application/json'].schema,
    );
    for (const field of [
      'id',
      'externalUserId',
      'displayName',
      'email',
      'metadata',
      'createdAt',
      'updatedAt',
    ]) {
      expect(upsert.properties, field).toHaveProperty([field]);
    }
    const get = resolve(
      doc.paths['/api/v1/end-users/{externalUserId}'].get.responses['200'].content['application/json'].schema,
    );
    const summary = resolve(get.properties.connectionSummary);
    for (const field of ['total', 'connected', 'failed'])
      expect(summary.properties, field).toHaveProperty([field]);
  });

  it('documents the platform path parameter as the five platforms, and API-key security on public routes', () => {
    const disconnect = doc.paths['/api/v1/end-users/{externalUserId}/connections/{platform}'].delete;
    const platform = disconnect.parameters.find((parameter: Schema) => parameter.name === 'platform');
    expect(platform.in).toBe('path');
    expect(platform.required).toBe(true);
    expect([...resolve(platform.schema).enum].sort()).toEqual([
      'facebook',
      'instagram',
      'linkedin',
      'twitter',
      'youtube',
    ]);
    expect(disconnect.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(disconnect.responses).toHaveProperty(['401']);
  });

  it('documents the uniform error body', () => {
    const error = resolve(
      doc.paths['/api/v1/end-users'].post.responses['400'].content['application/json'].schema,
    );
    const inner = resolve(error.properties.error);
    expect(inner.required).toEqual(expect.arrayContaining(['code', 'message', 'requestId']));
    expect(resolve(inner.properties.code).enum).toEqual(
      expect.arrayContaining([
        'unauthorized',
        'not_found',
        'validation_error',
        'invalid_json',
        'payload_too_large',
      ]),
    );
    expect(doc.paths['/api/v1/end-users'].post.responses).toHaveProperty(['413']);
  });
});
