import { Health, Readiness } from '@mypostshare/contract';
import type { Command } from 'commander';
import { resolveServerUrl } from '../config.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printResult, table } from '../output.js';
import type { GlobalOptions } from '../program.js';

/** What `mypostshare status` reports, and exactly what `--json` prints. */
export interface ServerStatus {
  server: string;
  status: string;
  version: string;
  ready: boolean;
}

export interface StatusResult {
  report: ServerStatus;
  /** The readiness checks that failed, as `name: detail`; empty when ready. */
  failing: string[];
}

/** How long each probe may take; a health check that slow is as good as down. */
const PROBE_TIMEOUT_MS = 5_000;

const UNREACHABLE_HINT =
  'is the server running? Start one with `npx mypostshare-server`, or point the CLI at yours with --server <url> or MYPOSTSHARE_SERVER_URL';

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
      hint: '--server takes the server origin (e.g. http://localhost:8787), not the /api base URL',
    },
  );
}

/**
 * Asks a server whether it is alive (`/healthz`) and ready to serve (`/readyz`).
 * Throws a `CliError` when it cannot be reached or does not answer like a mypostshare server.
 */
export async function getStatus(server: string): Promise<StatusResult> {
  const [health, readiness] = await Promise.all([probe(server, '/healthz'), probe(server, '/readyz')]);

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
  return {
    report: { server, status: healthBody.data.status, version: healthBody.data.version, ready },
    failing,
  };
}

/** `mypostshare status`: is the server up, which version, is it ready. Exits 5 when not ready. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show whether the server is up and ready, and its version (GET /healthz and /readyz)')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const server = resolveServerUrl(options.server);
      const { report, failing } = await getStatus(server);
      printResult(report, options, (data) =>
        table([
          ['server', data.server],
          ['status', data.status],
          ['version', data.version],
          ['ready', data.ready ? 'yes' : 'no'],
        ]),
      );
      if (!report.ready) {
        const reason = failing.length > 0 ? failing.join(', ') : 'it reports not_ready';
        throw new CliError(`the server at ${server} is up but not ready (${reason})`, {
          exitCode: EXIT.server,
          hint: "see the server's log; /readyz lists each check",
        });
      }
    });
}
