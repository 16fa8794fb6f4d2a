import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError, UNREACHABLE_HINT } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { table, yesNo } from '../output.js';

/** Whether a configured credential was accepted. */
export type CredentialState = 'accepted' | 'refused' | 'not set';

/** What `mypostshare status` reports, and exactly what `--json` prints. */
export interface ServerStatus {
  server: string;
  status: string;
  version: string;
  ready: boolean;
  /** The profile in use, when one is saved for this server. */
  profile: string | null;
  adminToken: CredentialState;
  apiKey: CredentialState;
  /** `test` for a sandbox app's key (`mps_test_`), `live` otherwise. */
  apiKeyMode: 'test' | 'live' | null;
  /** The selected app, when there is one and the admin token can see it. */
  app: { id: string; name: string; sandbox: boolean } | null;
}

export interface StatusResult {
  report: ServerStatus;
  /** The readiness checks that failed, as `name: detail`; empty when ready. */
  failing: string[];
}

/** How long each probe may take; a health check that slow is as good as down. */
const PROBE_TIMEOUT_MS = 5_000;

async function probe(server: string, path: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
        : describeNetworkError(error);
    throw new CliError(`cannot reach the mypostshare server at ${server} (${reason})`, {
      exitCode: EXIT.unreachable,
      hint: UNREACHABLE_HINT,
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

// Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
function describeNetworkError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function notMyPostShare(server: string, path: string, status: number): CliError {
  return new CliError(
    `${server}${path} answered ${status} with something that is not a mypostshare ${path}`,
    {
      exitCode: EXIT.server,
      hint: '--server takes the origin of a mypostshare server (e.g. http://localhost:8787)',
    },
  );
}

/**
 * Asks a server whether it is alive (`/healthz`) and ready to serve (`/readyz`).
 * Throws a `CliError` when it cannot be reached or does not answer like a mypostshare server.
 */
export async function getHealth(server: string): Promise<{
  status: string;
  version: string;
  ready: boolean;
  failing: string[];
}> {
  const [health, readiness, { Health, Readiness }] = await Promise.all([
    probe(server, '/healthz'),
    probe(server, '/readyz'),
    import('@mypostshare/contract'),
  ]);
  const healthBody = Health.safeParse(health.body);
  if (health.status !== 200 || !healthBody.success) throw notMyPostShare(server, '/healthz', health.status);
  // /readyz answers 503 with the same body shape when a check fails.
  const readyBody = Readiness.safeParse(readiness.body);
  if ((readiness.status !== 200 && readiness.status !== 503) || !readyBody.success) {
    throw notMyPostShare(server, '/readyz', readiness.status);
  }
  const ready = readiness.status === 200 && readyBody.data.status === 'ready';
  const failing = Object.entries(readyBody.data.checks)
    .filter(([, check]) => check.status !== 'ok')
    .map(([name, check]) => `${name}: ${check.detail ?? check.status}`);
  return { status: healthBody.data.status, version: healthBody.data.version, ready, failing };
}

/** `accepted` or `refused` for a call made with one credential; other failures propagate. */
async function credentialState(call: () => Promise<unknown>): Promise<'accepted' | 'refused'> {
  try {
    await call();
    return 'accepted';
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 401 || status === 403) return 'refused';
    throw error;
  }
}

/** Health, readiness, and who the configured credentials say we are. */
export async function getStatus(ctx: Context): Promise<StatusResult & { appMissing: string | null }> {
  const settings = await ctx.settings();
  const { server } = settings;
  const health = await getHealth(server);
  let adminToken: CredentialState = 'not set';
  let apiKey: CredentialState = 'not set';
  let app: ServerStatus['app'] = null;
  let appMissing: string | null = null;
  if (settings.adminToken) {
    const admin = await ctx.admin();
    adminToken = await credentialState(() => admin.apps.list({ limit: 1 }));
    if (adminToken === 'accepted' && settings.app) {
      try {
        const found = await admin.apps.retrieve(settings.app.value);
        app = { id: found.id, name: found.name, sandbox: found.sandbox };
      } catch (error) {
        if ((error as { status?: unknown }).status !== 404) throw error;
        appMissing = settings.app.value;
      }
    }
  }
  if (settings.apiKey) {
    const client = await ctx.client();
    apiKey = await credentialState(() => client.platforms.list());
  }
  return {
    report: {
      server,
      status: health.status,
      version: health.version,
      ready: health.ready,
      profile: settings.profileApplies ? settings.profileName : null,
      adminToken,
      apiKey,
      apiKeyMode: settings.apiKey ? (settings.apiKey.value.startsWith('mps_test_') ? 'test' : 'live') : null,
      app,
    },
    failing: health.failing,
    appMissing,
  };
}

/**
 * `mypostshare status`: is the server up and ready, which version, and are the configured
 * credentials accepted. Exits 5 when not ready, 3 when a credential is refused.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineStatus(command: Command): void {
  command.action(
    action(async (ctx) => {
      const { report, failing, appMissing } = await getStatus(ctx);
      ctx.print(report, (data) =>
        table([
          ['server', data.server],
          ['status', data.status],
          ['version', data.version],
          ['ready', yesNo(data.ready)],
          ['profile', data.profile ?? '-'],
          ['admin token', data.adminToken],
          ['API key', data.apiKey === 'not set' ? data.apiKey : `${data.apiKey} (${data.apiKeyMode})`],
          ['app', data.app ? `${data.app.name} (${data.app.id}${data.app.sandbox ? ', sandbox' : ''})` : '-'],
        ]),
      );
      if (!report.ready) {
        const reason = failing.length > 0 ? failing.join(', ') : 'it reports not_ready';
        throw new CliError(`the server at ${report.server} is up but not ready (${reason})`, {
          exitCode: EXIT.server,
          hint: "see the server's log; /readyz lists each check",
        });
      }
      if (report.adminToken === 'refused' || report.apiKey === 'refused') {
        const which = [
          report.adminToken === 'refused' ? 'admin token' : undefined,
          report.apiKey === 'refused' ? 'API key' : undefined,
        ].filter(Boolean);
        throw new CliError(`the server refused the ${which.join(' and the ')}`, {
          exitCode: EXIT.auth,
          hint: 'run `mypostshare login` again (or fix MYPOSTSHARE_ADMIN_TOKEN / MYPOSTSHARE_API_KEY)',
        });
      }
      if (appMissing) {
        throw new CliError(`the selected app ${appMissing} does not exist on ${report.server}`, {
          exitCode: EXIT.notFound,
          hint: 'choose another with `mypostshare apps use <id>` (`mypostshare apps list` lists them)',
        });
      }
    }),
  );
}
