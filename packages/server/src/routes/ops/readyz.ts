import { routes } from '@mypostshare/contract';
import { sql } from 'kysely';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('readyz', routes.readyz, async ({ deps, ctx }) => {
  let database: { status: 'ok' | 'failing'; detail?: string } = { status: 'ok' };
  try {
    await sql`select 1`.execute(deps.db);
  } catch {
    database = { status: 'failing', detail: 'database did not answer' };
  }
  const ready = database.status === 'ok' && !deps.shuttingDown();
  // A draining process reports not ready so the load balancer stops sending it traffic.
  if (!ready) ctx.status = 503;
  return {
    status: ready ? ('ready' as const) : ('not_ready' as const),
    checks: {
      database,
      ...(deps.shuttingDown() ? { shutdown: { status: 'failing' as const, detail: 'shutting down' } } : {}),
    },
  };
});
