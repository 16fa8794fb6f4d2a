#!/usr/bin/env node
// PostgreSQL for the benchmarks (`BENCH_DATABASE=postgres`): a fresh schema per run, dropped when
// the run ends, whatever way it ends. Imported by bench/run.mjs and bench/publishing.mjs.
//
//   node bench/postgres.mjs --check   exit 0 if BENCH_POSTGRES_URL answers, else say why on stderr
//                                     and exit 1 (`npm run bench` then skips the PostgreSQL runs)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** `sqlite` (default) or `postgres`, from BENCH_DATABASE; exits 2 on anything else. */
export function benchDatabase() {
  const raw = (process.env.BENCH_DATABASE || 'sqlite').trim().toLowerCase();
  if (raw === 'sqlite') return 'sqlite';
  if (raw === 'postgres' || raw === 'postgresql' || raw === 'pg') return 'postgres';
  process.stderr.write(
    `bench: BENCH_DATABASE=${process.env.BENCH_DATABASE} is neither sqlite nor postgres\n`,
  );
  process.exit(2);
}

/** BENCH_POSTGRES_URL (default the local test database), without any `?schema=`: each run picks its own. */
export function postgresUrl() {
  const url = new URL(process.env.BENCH_POSTGRES_URL || DEFAULT_POSTGRES_URL);
  url.searchParams.delete('schema');
  return url.toString();
}

/** The URL with its password masked, for reports and messages. */
export function redactUrl(value) {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** An error's message; connection failures to `localhost` are AggregateErrors with an empty one. */
const reason = (error) =>
  error?.message || error?.errors?.map((inner) => inner.message).join('; ') || error?.code || String(error);

const quote = (identifier) => `"${identifier.replaceAll('"', '""')}"`;

/** Connects once and disconnects: `{ ok: true, version }` or `{ ok: false, error }`. */
export async function checkPostgres(url = postgresUrl()) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('show server_version');
    return { ok: true, version: rows[0].server_version };
  } catch (error) {
    return { ok: false, error: reason(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates a fresh schema `mps_bench_<random>` and returns what to hand our server, plus `drop()`.
 * The schema is dropped (`drop schema … cascade`) by `drop()`, which the benches call on success,
 * on failure and on Ctrl-C once the server is stopped; if the process exits without it having run
 * (an unexpected `process.exit`), an exit hook drops it synchronously through a child node.
 */
export async function createBenchSchema({
  log = (message) => process.stderr.write(`bench: ${message}\n`),
} = {}) {
  const url = postgresUrl();
  const schema = `mps_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  let version;
  try {
    await client.connect();
    version = (await client.query('show server_version')).rows[0].server_version;
    await client.query(`create schema ${quote(schema)}`);
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(
      `PostgreSQL at ${redactUrl(url)} is not usable (${reason(error)}): start it, or point BENCH_POSTGRES_URL elsewhere`,
    );
  }
  await client.end();
  log(`PostgreSQL ${version} at ${redactUrl(url)}, schema ${schema} (dropped when the run ends)`);

  let dropped = false;
  let dropping;
  const dropSql = `drop schema if exists ${quote(schema)} cascade`;
  const onExit = () => {
    if (dropped) return;
    // Synchronous last resort: 'exit' handlers cannot wait for a promise.
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `const pg = require('pg');
         const c = new pg.Client({ connectionString: process.env.URL, connectionTimeoutMillis: 5000, statement_timeout: 20000 });
         c.connect().then(() => c.query(process.env.SQL)).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });`,
      ],
      { cwd: root, env: { ...process.env, URL: url, SQL: dropSql }, timeout: 30_000, encoding: 'utf8' },
    );
    if (result.status === 0) process.stderr.write(`bench: dropped schema ${schema}\n`);
    else process.stderr.write(`bench: could not drop schema ${schema}: ${result.stderr || result.error}\n`);
  };
  process.on('exit', onExit);

  /** A connection kept for backendCpuTicks(), closed by drop(). */
  let monitor;
  /** Drops the schema (once; later calls wait for the first). Stop the server first. */
  const drop = () => {
    dropping ??= (async () => {
      await (await monitor)?.end().catch(() => {});
      const dropper = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: 5000,
        // A server that is still up would hold locks: wait for them a while, not forever.
        statement_timeout: 20_000,
      });
      try {
        await dropper.connect();
        await dropper.query(dropSql);
        dropped = true;
        log(`dropped schema ${schema}`);
      } catch (error) {
        log(
          `could not drop schema ${schema} (${reason(error)}); drop it by hand: psql "${redactUrl(url)}" -c 'drop schema ${schema} cascade'`,
        );
        dropped = true; // do not retry from the exit hook
      } finally {
        await dropper.end().catch(() => {});
      }
    })();
    return dropping;
  };

  return {
    url,
    schema,
    version,
    /** Environment for our server. */
    serverEnv: {
      MYPOSTSHARE_DATABASE_URL: url,
      MYPOSTSHARE_DATABASE_SCHEMA: schema,
      ...(process.env.BENCH_POSTGRES_POOL_SIZE
        ? { MYPOSTSHARE_DATABASE_POOL_SIZE: process.env.BENCH_POSTGRES_POOL_SIZE }
        : {}),
    },
    /** What the reports record (no password). */
    describe: () => ({ url: redactUrl(url), schema, serverVersion: version }),
    /** A pg client with `search_path` set to the bench schema (for seeding and polling). */
    /**
     * CPU ticks of the PostgreSQL backends serving `serverPid`'s pooled connections, by backend pid
     * (matched through pg_stat_activity.client_port), or undefined when they cannot be read (a
     * PostgreSQL on another machine). On SQLite the database work is inside the server process; on
     * PostgreSQL most of it is in these backends, so the bench adds them to our CPU per request.
     */
    async backendCpuTicks(serverPid) {
      const ports = connectedPorts(serverPid, Number(new URL(url).port || 5432));
      if (ports.length === 0) return undefined;
      monitor ??= this.client().catch(() => undefined);
      const c = await monitor;
      if (!c) return undefined;
      try {
        const { rows } = await c.query(
          'select pid from pg_stat_activity where client_port = any($1::int[])',
          [ports],
        );
        const ticks = new Map();
        for (const { pid } of rows) {
          const value = cpuTicks(pid);
          if (value !== undefined) ticks.set(pid, value);
        }
        return ticks.size > 0 ? ticks : undefined;
      } catch {
        return undefined;
      }
    },
    async client() {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await c.connect();
      await c.query(`set search_path to ${quote(schema)}`);
      return c;
    },
    drop,
  };
}

/** Local ports of `pid`'s TCP connections to `remotePort` (Linux /proc; empty elsewhere). */
function connectedPorts(pid, remotePort) {
  const inodes = new Set();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]);
      } catch {}
    }
  } catch {
    return [];
  }
  const ports = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || !inodes.has(fields[9])) continue;
      const port = (address) => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      if (port(fields[2]) === remotePort) ports.push(port(fields[1]));
    }
  }
  return ports;
}

/** user + system CPU ticks of a process, or undefined when it cannot be read. */
function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Resolves after `promise` or `ms`, whichever comes first. */
export const within = (promise, ms) =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== '--check') {
    process.stderr.write('usage: node bench/postgres.mjs --check\n');
    process.exit(2);
  }
  const url = postgresUrl();
  const result = await checkPostgres(url);
  if (result.ok) {
    process.stderr.write(
      `bench: PostgreSQL ${result.version} at ${redactUrl(url)}: running the PostgreSQL benches\n`,
    );
    process.exit(0);
  }
  process.stderr.write(
    `bench: PostgreSQL at ${redactUrl(url)} is unreachable (${result.error}): SKIPPING the PostgreSQL benches ` +
      '(start PostgreSQL or set BENCH_POSTGRES_URL to run them)\n',
  );
  process.exit(1);
}
