import type Router from '@koa/router';
import { buildOpenApiDocument } from '@mypostshare/contract';
import type { AppDeps } from '../../app.js';
import type { ServerRoute } from '../../http/define-route.js';
import type { AppState } from '../../types.js';

/** `GET /api/openapi.json`: generated from the contract, listing only the operations this server serves. */
export function mountOpenApi(router: Router<AppState>, served: ServerRoute[], deps: AppDeps): void {
  let document: string | undefined;
  router.get('/api/openapi.json', (ctx) => {
    document ??= JSON.stringify(
      buildOpenApiDocument({
        serverUrl: deps.config.publicUrl,
        version: deps.version,
        operations: served.map((route) => route.operationId),
      }),
    );
    ctx.type = 'application/json';
    ctx.body = document;
  });
}
