import type Router from '@koa/router';
import type { OperationId, RouteDefinition } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AppDeps } from '../app.js';
import { parseOrThrow } from '../errors.js';
import { jsonBody, readJsonBody } from '../middleware/json-body.js';
import { withIdempotency } from '../services/idempotency.js';
import type { ApiKeyAuth, AppState } from '../types.js';
import { requestHeader, setJsonBody } from './headers.js';

type Input<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<R extends RouteDefinition> {
  params: Input<R['params']>;
  query: Input<R['query']>;
  body: Input<R['body']>;
  /** The calling app; present on API-key routes. */
  auth: R['auth'] extends 'apiKey' ? ApiKeyAuth : undefined;
  deps: AppDeps;
  ctx: Context & { state: AppState };
}

type Output<R extends RouteDefinition> = R['success']['schema'] extends z.ZodType
  ? z.input<R['success']['schema']>
  : undefined;

export interface ServerRoute {
  operationId: OperationId;
  definition: RouteDefinition;
  handler: (input: HandlerInput<any>) => Promise<unknown>;
}

/**
 * Binds a contract route to its handler. The handler receives params, query and body already
 * validated against the contract (nothing after this reads the raw request) and returns the
 * success body; the status comes from the contract.
 */
export function defineRoute<Id extends OperationId, R extends RouteDefinition>(
  operationId: Id,
  definition: R,
  handler: (input: HandlerInput<R>) => Promise<Output<R>>,
): ServerRoute {
  return { operationId, definition, handler: handler as ServerRoute['handler'] };
}

type RouteContext = Context & { state: AppState };

/** What a route answers: its status and body, before they are put on the response. */
interface Outcome {
  status: number;
  body: unknown;
}

/**
 * Validates the request against the route's contract (body already parsed into `ctx.state.body`),
 * runs the handler (through the idempotency store when the route takes an `Idempotency-Key` and
 * one was sent) and puts the outcome on the response.
 */
function routeRunner({ definition, handler }: ServerRoute, deps: AppDeps) {
  const respond = (ctx: RouteContext, outcome: Outcome) => {
    ctx.status = outcome.status;
    const replayedError =
      outcome.status >= 400 ? (outcome.body as { error?: object } | undefined) : undefined;
    if (replayedError?.error) {
      // A replayed client error gets this request's id, like every error body.
      setJsonBody(ctx, { error: { ...replayedError.error, requestId: ctx.state.requestId } });
    } else if (definition.success.schema) {
      setJsonBody(ctx, outcome.body);
    }
  };
  // Koa's status stays 404 until something sets it; a handler may set another (readyz's 503).
  const outcomeOf = (ctx: RouteContext, result: unknown): Outcome => ({
    status: ctx.status === 404 ? definition.success.status : ctx.status,
    body: result,
  });
  return (ctx: RouteContext): Promise<void> => {
    const params = definition.params ? parseOrThrow(definition.params, ctx.params) : undefined;
    const query = definition.query ? parseOrThrow(definition.query, ctx.query) : undefined;
    const body = definition.body ? parseOrThrow(definition.body, ctx.state.body) : undefined;
    const auth = ctx.state.auth;
    const execute = async () => outcomeOf(ctx, await handler({ params, query, body, auth, deps, ctx }));
    // Without the header the idempotency store is not involved at all (withIdempotency would only
    // call `execute`): skip the extra async layer on the common path.
    if (definition.idempotent && auth && requestHeader(ctx, 'idempotency-key')) {
      return withIdempotency(
        deps,
        ctx,
        // The concrete path, not the template: the same key on another post's retry is another request.
        { appId: auth.appId, method: definition.method, route: ctx.path, body: ctx.state.body },
        execute,
      ).then((outcome) => respond(ctx, outcome));
    }
    return Promise.resolve(handler({ params, query, body, auth, deps, ctx })).then((result) =>
      respond(ctx, outcomeOf(ctx, result)),
    );
  };
}

/**
 * A route mounted by {@link mountRoutes}, kept for direct dispatch: matched by plain segment
 * comparison instead of the router's per-request scan of every layer and middleware composition.
 */
interface DirectRoute {
  method: string;
  /** Per path segment: the literal text, or `undefined` for a parameter. */
  segments: (string | undefined)[];
  paramNames: string[];
  /** The router layer this route registered. */
  layer: RouterLayer;
  /** Layers the router would try first that might match the same requests (usually none). */
  guards: RouterLayer[];
  bodyLimitBytes: number | undefined;
  run: (ctx: RouteContext) => Promise<void>;
}

/** The parts of @koa/router's Layer this module reads. */
interface RouterLayer {
  path: string | RegExp;
  methods: string[];
  match(path: string): boolean;
}

const directRoutes = new WeakMap<Router<AppState>, DirectRoute[]>();

const SEGMENT_LITERAL = /^[A-Za-z0-9._~-]+$/;
const SEGMENT_PARAM = /^:([A-Za-z_$][A-Za-z0-9_$]*)$/;

/**
 * Splits a route template into literal and parameter segments, or returns undefined when it uses
 * anything else of path-to-regexp's syntax (optional parts, wildcards, patterns): such a route is
 * left to the router alone.
 */
function parseTemplate(path: string): { segments: (string | undefined)[]; paramNames: string[] } | undefined {
  if (!path.startsWith('/') || path === '/' || path.endsWith('/')) return undefined;
  const segments: (string | undefined)[] = [];
  const paramNames: string[] = [];
  for (const part of path.slice(1).split('/')) {
    const param = SEGMENT_PARAM.exec(part);
    if (param) {
      segments.push(undefined);
      paramNames.push(param[1]!);
    } else if (SEGMENT_LITERAL.test(part)) {
      segments.push(part);
    } else {
      return undefined;
    }
  }
  return { segments, paramNames };
}

/** Registers routes on a router, with body parsing and edge validation in front of each handler. */
export function mountRoutes(router: Router<AppState>, routes: ServerRoute[], deps: AppDeps): void {
  let direct = directRoutes.get(router);
  if (!direct) {
    direct = [];
    directRoutes.set(router, direct);
  }
  for (const route of routes) {
    const { definition } = route;
    const run = routeRunner(route, deps);
    const middlewares = definition.body ? [jsonBody(deps.config.bodyLimitBytes), run] : [run];
    const method = definition.method.toUpperCase();
    router.register(definition.path, [method], middlewares as never);
    const layer = router.stack[router.stack.length - 1] as unknown as RouterLayer;
    const template = parseTemplate(definition.path);
    if (template && layer.path === definition.path) {
      direct.push({
        method,
        ...template,
        layer,
        guards: [],
        bodyLimitBytes: definition.body ? deps.config.bodyLimitBytes : undefined,
        run,
      });
    }
  }
}

/** Whether two templates' literal segments can be the same text (the router ignores case). */
function sameLiteral(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether some request path could match both direct routes (segment by segment, as the router would). */
function templatesOverlap(a: DirectRoute, b: DirectRoute): boolean {
  if (a.segments.length !== b.segments.length) return false;
  return a.segments.every((segment, index) => {
    const other = b.segments[index];
    return segment === undefined || other === undefined || sameLiteral(segment, other);
  });
}

/**
 * Whether a layer the router knows only by its pattern could match a request this direct route
 * takes. Conservative: it compares the literal text before the first special character of each
 * (every path-to-regexp pattern is anchored at the start), and any RegExp layer might match.
 */
function mightOverlap(layer: RouterLayer, route: DirectRoute): boolean {
  if (typeof layer.path !== 'string') return true;
  const literalPrefix = (text: string) => text.slice(0, text.search(/[:*?+(){}\\[\]]|$/)).toLowerCase();
  const theirs = literalPrefix(layer.path);
  const ours = literalPrefix(route.layer.path as string);
  return theirs.startsWith(ours) || ours.startsWith(theirs);
}

/**
 * Finds the route @koa/router would run for a request, without running the router, for routes
 * mounted by {@link mountRoutes}. It answers only for what it can tell exactly: the method the
 * route was registered with (not the HEAD the router adds to GET routes), the literal segments in
 * their registered case, no trailing slash, and no earlier layer that might take the request
 * instead. Everything else is undefined and goes to the router as before, so both ways give the
 * same route, the same params and the same 404/405 answers.
 */
export function directRouter(router: Router<AppState>) {
  let builtFor = -1;
  // method -> segment count -> candidates in registration order
  let table = new Map<string, Map<number, DirectRoute[]>>();
  const build = () => {
    builtFor = router.stack.length;
    table = new Map();
    const routes = directRoutes.get(router) ?? [];
    const byLayer = new Map<unknown, DirectRoute>(routes.map((route) => [route.layer, route]));
    const stack = router.stack as unknown as RouterLayer[];
    for (const route of routes) {
      const position = stack.indexOf(route.layer);
      if (position === -1) continue;
      route.guards = stack.slice(0, position).filter((layer) => {
        if (layer.methods.length > 0 && !layer.methods.includes(route.method)) return false;
        const earlier = byLayer.get(layer);
        // An earlier direct route with a literal that differs only in case: the router (case
        // insensitive) would take it; the exact matcher below would not. Guard against it too.
        return earlier ? templatesOverlap(earlier, route) : mightOverlap(layer, route);
      });
      let bySize = table.get(route.method);
      if (!bySize) {
        bySize = new Map();
        table.set(route.method, bySize);
      }
      const candidates = bySize.get(route.segments.length) ?? [];
      candidates.push(route);
      bySize.set(route.segments.length, candidates);
    }
  };
  return {
    /** The direct route for this request and its decoded params, or undefined to use the router. */
    match(method: string, path: string): { route: DirectRoute; params: Record<string, string> } | undefined {
      if (builtFor !== router.stack.length) build();
      const bySize = table.get(method);
      if (!bySize || path.charCodeAt(0) !== 0x2f) return undefined;
      const parts = path.slice(1).split('/');
      const candidates = bySize.get(parts.length);
      if (!candidates) return undefined;
      for (const route of candidates) {
        const params = matchSegments(route, parts);
        if (params === undefined) continue;
        // The first route that matches exactly is the router's choice unless a layer before it
        // might match too (then ask the router, which knows).
        for (const guard of route.guards) if (guard.match(path)) return undefined;
        return { route, params };
      }
      return undefined;
    },
  };
}

/** The params of a path split into segments, if it matches the route's template exactly. */
function matchSegments(route: DirectRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let paramIndex = 0;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index]!;
    const literal = route.segments[index];
    if (literal !== undefined) {
      if (part !== literal) return undefined;
    } else {
      if (part === '') return undefined;
      params[route.paramNames[paramIndex]!] = part.includes('%') ? safeDecode(part) : part;
      paramIndex += 1;
    }
  }
  return params;
}

/** As the router decodes params: percent-decoded, or left as sent when that fails. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Runs a directly dispatched route: what the router would do for it (params on `ctx.params`, the
 * JSON body when the route takes one) and then the route itself.
 */
export function runDirect(
  ctx: RouteContext,
  match: { route: DirectRoute; params: Record<string, string> },
): Promise<void> {
  ctx.params = match.params;
  const { route } = match;
  if (route.bodyLimitBytes === undefined) return route.run(ctx);
  return readJsonBody(ctx, route.bodyLimitBytes).then((body) => {
    ctx.state.body = body;
    return route.run(ctx);
  });
}
