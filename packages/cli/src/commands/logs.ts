import type { MyPostShareAdmin, RequestLogEntry } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { columns, paint } from '../output.js';
import { formatTime, parseDuration, parsePastTime } from '../time.js';
import { integer } from './common.js';

interface LogFlags {
  since?: string;
  limit?: number;
  follow?: boolean;
  interval?: string;
}

function line(entry: RequestLogEntry): string {
  const style = paint(process.stdout);
  const status = String(entry.status);
  const colored =
    entry.status >= 500
      ? style.red(status)
      : entry.status >= 400
        ? style.yellow(status)
        : style.green(status);
  return `${formatTime(entry.createdAt)}  ${colored}  ${entry.method.padEnd(6)} ${entry.path}  ${Math.round(entry.durationMs)} ms  ${style.dim(entry.requestId)}`;
}

const logTable = (entries: RequestLogEntry[]) =>
  columns(
    entries,
    [
      ['TIME', (entry) => formatTime(entry.createdAt)],
      ['STATUS', (entry) => String(entry.status)],
      ['METHOD', (entry) => entry.method],
      ['PATH', (entry) => entry.path],
      ['MS', (entry) => String(Math.round(entry.durationMs))],
      ['KEY', (entry) => entry.keyPrefix ?? '-'],
      ['REQUEST', (entry) => entry.requestId],
    ],
    'No requests logged.',
  );

/**
 * Prints entries as they arrive, oldest first, until Ctrl-C: one line each, or one JSON object per
 * line under `--json`.
 */
async function follow(
  ctx: Context,
  admin: MyPostShareAdmin,
  appId: string,
  since: string | undefined,
  limit: number,
  intervalMs: number,
): Promise<void> {
  const seen = new Set<string>();
  const emit = (entry: RequestLogEntry) => {
    seen.add(entry.id);
    process.stdout.write(ctx.json ? `${JSON.stringify(entry)}\n` : `${line(entry)}\n`);
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The latest entries first (the API lists newest first), then whatever arrives after them.
    const first = (await admin.logs.list(appId, { limit, ...(since ? { since } : {}) })).data;
    first.reverse().forEach(emit);
    let cursor = first.at(-1)?.createdAt ?? since ?? new Date().toISOString();
    ctx.hint('Following the request log (Ctrl-C to stop)...');
    while (!stop.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        stop.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (stop.signal.aborted) break;
      const fresh: RequestLogEntry[] = [];
      // `since` is inclusive, so entries at the last timestamp come again; `seen` drops them.
      for await (const entry of admin.logs.list(
        appId,
        { since: cursor, limit: 200 },
        { signal: stop.signal },
      )) {
        if (!seen.has(entry.id)) fresh.push(entry);
      }
      fresh.reverse().forEach(emit);
      cursor = fresh.at(-1)?.createdAt ?? cursor;
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `mypostshare logs`: the app's request log (admin token), optionally followed.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineLogs(command: Command): void {
  command
    .option('--since <time>', 'only requests from this time (ISO 8601, or 15m / 2h / 1d ago)')
    .option('--limit <n>', 'how many (1-200, default 50)', integer('--limit', 1, 200))
    .option('-f, --follow', 'keep printing requests as they arrive, oldest first (Ctrl-C to stop)')
    .option('--interval <duration>', 'how often --follow asks for new requests (default 1s)')
    .action(
      action(async (ctx) => {
        const flags = ctx.opts<LogFlags>();
        const since = flags.since === undefined ? undefined : parsePastTime('--since', flags.since);
        const admin = await ctx.admin();
        const appId = await ctx.appId();
        if (flags.follow) {
          const interval = parseDuration('--interval', flags.interval ?? '1s');
          await follow(ctx, admin, appId, since, flags.limit ?? 20, interval);
          return;
        }
        const page = await admin.logs.list(appId, { limit: flags.limit ?? 50, ...(since ? { since } : {}) });
        ctx.print(page.data, logTable);
      }),
    );
}
