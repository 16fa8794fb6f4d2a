import { routes } from '@mypostshare/contract';
import { sql } from 'kysely';
import { defineRoute } from '../../http/define-route.js';

/** The worker ticks every 30 s; five minutes without a tick means it is stuck. */
const WORKER_STALE_MS = 5 * 60_000;

export default defineRoute('readyz', routes.readyz, async ({ deps, ctx }) => {
  let database: { status: 'ok' | 'failing'; detail?: string } = { status: 'ok' };
  try {
    await sql`select 1`.execute(deps.db);
  } catch {
    database = { status: 'failing', detail: 'database did not answer' };
  }
  // A worker that stopped ticking (wedged, or its process lost the database) is not ready.
  let worker: { status: 'ok' | 'failing'; detail?: string } | undefined;
  if (deps.config.role !== 'api') {
    const last = deps.worker.lastTickAt;
    const stale = last && deps.clock.now().getTime() - last.getTime() > WORKER_STALE_MS;
    worker = last
      ? { status: stale ? 'failing' : 'ok', detail: `last tick ${last.toISOString()}` }
      : { status: 'ok', detail: 'no tick yet' };
  }
  const ready = database.status === 'ok' && worker?.status !== 'failing' && !deps.shuttingDown();
  // A draining process reports not ready so the load balancer stops sending it traffic.
  if (!ready) ctx.status = 503;
  return {
    status: ready ? ('ready' as const) : ('not_ready' as const),
    checks: {
      database,
      ...(worker ? { worker } : {}),
      ...(deps.shuttingDown() ? { shutdown: { status: 'failing' as const, detail: 'shutting down' } } : {}),
    },
  };
});
