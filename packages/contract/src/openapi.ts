import * as z from 'zod';
import { ERROR_CODES, ERROR_STATUS, ErrorBody } from './errors.js';
import { type OperationId, type RouteDefinition, routes } from './routes.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  /** The server's public origin, e.g. `https://mypostshare.example.com`. */
  serverUrl: string;
  /** The version string to publish in `info.version`. */
  version: string;
  /** Restrict the document to these operations (the ones a server actually serves). Default: all. */
  operations?: readonly OperationId[];
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: invalid JSON, a schema violation (`validation_error` with `details`) or a refused redirect URI',
  401: 'Missing, malformed, unknown or revoked credentials',
  404: 'Not found (another app’s resources are always 404)',
  409: 'Conflict',
  413: 'Request body too large',
  422: 'Well-formed but unprocessable',
  429: 'Rate limited; see `Retry-After` and `RateLimit-*`',
  500: 'Internal error',
  503: 'Not ready',
};

/**
 * Builds the OpenAPI 3.1 document of the API from the contract's zod schemas.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument({ serverUrl: 'http://localhost:8787', version: '0.1.0' });
 * doc.paths['/api/v1/end-users'].post.operationId; // 'upsertEndUser'
 * ```
 */
export function buildOpenApiDocument(options: OpenApiOptions) {
  const components: Record<string, JsonSchema> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const raw = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
    // Schemas that carry an id (`.meta({ id })`) come out as local `$defs`; hoist them to components.
    const json = JSON.parse(
      JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/'),
    ) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    for (const [id, def] of Object.entries(defs)) components[id] = def;
    delete json.$defs;
    delete json.$schema;
    return json;
  };

  const errorRef = convert(ErrorBody, 'output');
  const errorResponse = (status: number) => ({
    description: STATUS_TEXT[status] ?? 'Error',
    content: { 'application/json': { schema: errorRef } },
  });

  const paths: Record<string, Record<string, unknown>> = {};
  const selected = new Set<string>(options.operations ?? Object.keys(routes));
  for (const [operationId, definition] of Object.entries(routes) as [OperationId, RouteDefinition][]) {
    if (!selected.has(operationId)) continue;
    const openApiPath = definition.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ['path', definition.params],
      ['query', definition.query],
    ] as const) {
      if (!schema) continue;
      const json = convert(schema, 'input') as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        const { description, ...rest } = property;
        parameters.push({
          name,
          in: location,
          required: location === 'path' || (json.required ?? []).includes(name),
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }
    if (definition.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Replays the stored response for a repeated request with the same key and body.',
        schema: { type: 'string', maxLength: 255 },
      });
    }

    const responses: Record<string, unknown> = {};
    const success = definition.success;
    responses[String(success.status)] = success.schema
      ? {
          description: success.description,
          ...(success.list
            ? {
                headers: {
                  Link: {
                    description: 'Present when there is a next page: `<url>; rel="next"`.',
                    schema: { type: 'string' },
                  },
                },
              }
            : {}),
          content: { 'application/json': { schema: convert(success.schema, 'output') } },
        }
      : { description: success.description };
    const statuses = new Set<number>(definition.errors ?? []);
    if (definition.body || definition.params || definition.query) statuses.add(400);
    if (definition.body) statuses.add(413);
    if (definition.auth !== 'none') statuses.add(401);
    if (definition.auth === 'apiKey') statuses.add(429);
    // Idempotency-Key: 409 while the first request runs, 422 when the key was used for another request.
    if (definition.idempotent) {
      statuses.add(409);
      statuses.add(422);
    }
    statuses.add(500);
    for (const status of [...statuses].sort()) responses[String(status)] = errorResponse(status);

    paths[openApiPath] ??= {};
    paths[openApiPath][definition.method] = {
      operationId,
      summary: definition.summary,
      tags: [definition.tag],
      security:
        definition.auth === 'apiKey'
          ? [{ apiKey: [] }]
          : definition.auth === 'admin'
            ? [{ adminToken: [] }]
            : [],
      ...(parameters.length ? { parameters } : {}),
      ...(definition.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: convert(definition.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'mypostshare API',
      version: options.version,
      description:
        'Hosted OAuth and publishing for LinkedIn, Facebook Pages, Instagram, X and YouTube. ' +
        `Error codes: ${ERROR_CODES.map((code) => `\`${code}\` (${ERROR_STATUS[code]})`).join(', ')}.`,
    },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An app API key (`mps_live_…` or `mps_test_…`).',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The operator admin token.' },
      },
    },
  };
}
