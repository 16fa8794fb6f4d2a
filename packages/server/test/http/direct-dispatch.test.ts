import Router from '@koa/router';
import { describe, expect, it } from 'vitest';
import { type AppDeps, buildRouter } from '../../src/app.js';
import { directRouter, mountRoutes, type ServerRoute } from '../../src/http/define-route.js';
import { adminRoutes, opsRoutes, publicRoutes } from '../../src/routes/index.js';
import type { AppState } from '../../src/types.js';

interface Layer {
  path: string;
  methods: string[];
  match(path: string): boolean;
  captures(path: string): string[];
  params(path: string, captures: string[]): Record<string, string>;
}

/** The router exactly as createApp builds it. */
function buildTestRouter() {
  return buildRouter({
    config: { bodyLimitBytes: 1024, publicUrl: 'http://localhost' },
  } as unknown as AppDeps);
}

/** What @koa/router would run for this request: the first layer matching path and method. */
function routerChoice(router: Router<AppState>, method: string, path: string) {
  const matched = router.match(path, method).pathAndMethod as unknown as Layer[];
  const layer = matched.find((candidate) => candidate.methods.length > 0);
  return layer && { layer, params: layer.params(path, layer.captures(path)) };
}

const samples = ['user_123', 'a.b', 'With%20Space', 'caf%C3%A9', 'bad%E0%A4%A', 'x'.repeat(40), '-'];
const pathsFor = (template: string) =>
  samples.map((sample) => template.replace(/:[A-Za-z_$][A-Za-z0-9_$]*/g, sample));

describe('direct dispatch of contract routes', () => {
  const router = buildTestRouter();
  const direct = directRouter(router);
  const routes: ServerRoute[] = [...opsRoutes, ...publicRoutes, ...adminRoutes];

  it('takes every contract route on its canonical paths, choosing what the router would', () => {
    for (const { definition } of routes) {
      const method = definition.method.toUpperCase();
      for (const path of pathsFor(definition.path)) {
        const ours = direct.match(method, path);
        const theirs = routerChoice(router, method, path);
        expect(theirs, `${method} ${path}`).toBeDefined();
        expect(ours, `${method} ${path} is dispatched directly`).toBeDefined();
        expect(ours!.route.layer, `${method} ${path}`).toBe(theirs!.layer);
        expect(ours!.params, `${method} ${path}`).toEqual(theirs!.params);
      }
    }
  });

  it('leaves to the router whatever it cannot match exactly, and never disagrees with it', () => {
    const variants = (path: string) => [
      `${path}/`,
      path.toUpperCase(),
      path.replace('/v1/', '/V1/'),
      `${path}//`,
      `${path}/extra`,
      path.slice(0, path.lastIndexOf('/')),
      `/${path}`,
      'relative',
      '',
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    for (const { definition } of routes) {
      for (const path of pathsFor(definition.path).flatMap((sample) => [sample, ...variants(sample)])) {
        for (const method of methods) {
          const ours = direct.match(method, path);
          if (!ours) continue;
          const theirs = routerChoice(router, method, path);
          expect(theirs, `${method} ${path}`).toBeDefined();
          expect(ours.route.layer, `${method} ${path}`).toBe(theirs!.layer);
          expect(ours.params, `${method} ${path}`).toEqual(theirs!.params);
        }
      }
    }
  });

  it('defers to an earlier layer that could take the same request', () => {
    const deps = { config: { bodyLimitBytes: 1024 } } as unknown as AppDeps;
    const shadowing = new Router<AppState>();
    // Registered first and case-insensitive in the router: it wins for /API/v1/... as well.
    shadowing.get('/api/v1/:anything/:id', () => {});
    mountRoutes(shadowing, publicRoutes, deps);
    const shadowed = directRouter(shadowing);
    expect(shadowed.match('GET', '/api/v1/end-users/user_123')).toBeUndefined();
    expect(routerChoice(shadowing, 'GET', '/api/v1/end-users/user_123')?.layer.path).toBe(
      '/api/v1/:anything/:id',
    );
  });
});
