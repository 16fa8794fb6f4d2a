import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres, type TestServer, testDatabaseEnv } from '../harness.js';
import { connectSandbox } from './helpers.js';
import {
  asTestServer,
  call,
  cleanUpProcesses,
  type MainProcess,
  startMain,
  tails,
  tempDirs,
  waitFor,
} from './processes.js';

/*
 * Scale-out (issue 7, DESIGN.md Storage and Scheduler): two API processes (MYPOSTSHARE_ROLE=api)
 * and three workers (MYPOSTSHARE_ROLE=worker), each with its own data directory as on separate
 * machines, share one PostgreSQL schema. Workers claim with FOR UPDATE SKIP LOCKED leases; every
 * post must be published exactly once, every API process must answer with the same state, and a
 * worker killed with SIGKILL mid-run must lose nothing and double nothing (its leases lapse and
 * another worker takes the work over). PostgreSQL only: on SQLite one file is one machine.
 */

const ADMIN_TOKEN = `scale-admin-${randomBytes(16).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

afterAll(cleanUpProcesses);

/** Delivery ids a process logged as published (pino JSON lines on its standard output). */
function publishedBy(proc: MainProcess): string[] {
  const ids: string[] = [];
  for (const line of proc.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; deliveryId?: string };
      if (entry.msg === 'published' && entry.deliveryId) ids.push(entry.deliveryId);
    } catch {
      // Not a log line.
    }
  }
  return ids;
}

/** Log lines at level error or fatal. */
const errors = (proc: MainProcess) =>
  proc
    .stdout()
    .split('\n')
    .filter((line) => /^\{.*"level":(5|6)0[,}]/.test(line));

/** Every post of the app as one API process lists it (following the `Link` pages): id → status. */
async function listAll(proc: MainProcess, key: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  let url: string | undefined = `${proc.baseUrl}/api/v1/posts?limit=200`;
  while (url) {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    expect(response.status, `${proc.name} lists posts`).toBe(200);
    for (const post of (await response.json()) as Array<{ id: string; status: string }>) {
      seen.set(post.id, post.status);
    }
    url = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return seen;
}

/** SIGTERM, bounded: shutdown flushes the buffered log lines. */
async function stop(proc: MainProcess): Promise<void> {
  proc.child.kill('SIGTERM');
  await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  expect(proc.child.exitCode, `${proc.name} exit code\n${tails()}`).toBe(0);
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

/**
 * Starts two API processes and three workers on one fresh schema, with a sandbox app whose end
 * user has LinkedIn connected. The first API process starts alone: it runs the migrations.
 */
async function startCluster(extraEnv: Record<string, string> = {}) {
  const schemaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-scale-'));
  tempDirs.push(schemaDir);
  const { MYPOSTSHARE_DATABASE_URL: databaseUrl } = testDatabaseEnv(schemaDir);
  const env = (name: string, role: string) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mps-scale-${name}-`));
    tempDirs.push(dataDir);
    return {
      MYPOSTSHARE_DATA_DIR: dataDir,
      MYPOSTSHARE_DATABASE_URL: databaseUrl!,
      MYPOSTSHARE_DATABASE_POOL_SIZE: '4',
      MYPOSTSHARE_ADMIN_TOKEN: ADMIN_TOKEN,
      MYPOSTSHARE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      MYPOSTSHARE_LOG_LEVEL: 'info',
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
      MYPOSTSHARE_ROLE: role,
      ...extraEnv,
    };
  };
  const api1 = await startMain('api 1', env('api1', 'api'));
  const [api2, ...workers] = await Promise.all([
    startMain('api 2', env('api2', 'api')),
    startMain('worker 1', env('worker1', 'worker')),
    startMain('worker 2', env('worker2', 'worker')),
    startMain('worker 3', env('worker3', 'worker')),
  ]);
  const app = await call(api1.baseUrl, 'POST', '/admin/v1/apps', {
    token: ADMIN_TOKEN,
    body: { name: 'Scale-out', sandbox: true },
    expect: 201,
  });
  // The key comes from the second API process: both serve one database.
  const { key } = await call(api2!.baseUrl, 'POST', `/admin/v1/apps/${app.id}/api-keys`, {
    token: ADMIN_TOKEN,
    body: {},
    expect: 201,
  });
  await connectSandbox(asTestServer(api1), key, 'scale_user', ['linkedin']);
  const pool = new pg.Pool({ connectionString: databaseUrl!.replace(/\?schema=.*/, ''), max: 2 });
  const schema = new URL(databaseUrl!).searchParams.get('schema')!;
  const cluster = {
    apis: [api1, api2!],
    workers,
    key,
    pool,
    schema,
    /** The counts the last `deliveryCounts` call saw, for failure messages. */
    lastCounts: {} as Record<string, number>,
    /** post_deliveries by status, straight from the database. */
    async deliveryCounts(): Promise<Record<string, number>> {
      const { rows } = await pool.query<{ status: string; n: string }>(
        `select status, count(*) as n from "${schema}".post_deliveries group by status`,
      );
      cluster.lastCounts = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
      return cluster.lastCounts;
    },
  };
  return cluster;
}

/** Schedules `count` sandbox posts (each due `leadMs` after it is created), alternating between the API processes; returns their ids. */
async function schedulePosts(apis: MainProcess[], key: string, count: number, leadMs: number) {
  const nonce = randomBytes(4).toString('hex');
  const ids: string[] = [];
  await inParallel(
    Array.from({ length: count }, (_, index) => index),
    16,
    async (index) => {
      const created = await call(apis[index % apis.length]!.baseUrl, 'POST', '/api/v1/posts/scheduled', {
        token: key,
        body: {
          externalUserId: 'scale_user',
          content: `Scale-out post ${index} of run ${nonce}`,
          platforms: ['linkedin'],
          // Due shortly after each is created: the workers claim while the API processes still insert.
          scheduleAt: new Date(Date.now() + leadMs).toISOString(),
        },
        expect: 201,
      });
      ids.push(created.id);
    },
  );
  return ids;
}

describe.skipIf(!onPostgres)('scale-out on PostgreSQL: 2 API processes, 3 workers', () => {
  it('publishes 2,000 scheduled posts exactly once, and every API process sees the same state', async () => {
    const POSTS = 2000;
    const cluster = await startCluster();
    try {
      const ids = await schedulePosts(cluster.apis, cluster.key, POSTS, 5000);
      expect(new Set(ids).size).toBe(POSTS);
      await waitFor(
        async () => ((await cluster.deliveryCounts()).published ?? 0) === POSTS,
        120_000,
        () => `every delivery published; now ${JSON.stringify(cluster.lastCounts)}`,
        500,
      );
      expect(await cluster.deliveryCounts()).toEqual({ published: POSTS });

      // Both API processes list the same 2,000 posts, all published.
      const [first, second] = await Promise.all(cluster.apis.map((api) => listAll(api, cluster.key)));
      expect(first!.size).toBe(POSTS);
      expect([...first!.values()].every((status) => status === 'published')).toBe(true);
      expect(new Map([...second!].sort())).toEqual(new Map([...first!].sort()));
      for (const id of ids) expect(first!.get(id)).toBe('published');

      for (const worker of cluster.workers) await stop(worker);
      // Each delivery was published by exactly one worker, once; the work was shared.
      const byWorker = cluster.workers.map(publishedBy);
      const all = byWorker.flat();
      expect(all.length).toBe(POSTS);
      expect(new Set(all).size).toBe(POSTS);
      for (const [index, published] of byWorker.entries()) {
        expect(published.length, `deliveries published by worker ${index + 1}`).toBeGreaterThan(0);
      }
      // The API processes published nothing (role api), and nobody logged an error.
      for (const api of cluster.apis) expect(publishedBy(api)).toEqual([]);
      for (const proc of [...cluster.apis, ...cluster.workers]) expect(errors(proc), proc.name).toEqual([]);
    } finally {
      await cluster.pool.end();
    }
  }, 300_000);

  it('loses and doubles nothing when a worker is killed with SIGKILL mid-run', async () => {
    const POSTS = 600;
    // A short lease, so the killed worker's claims come back within the test.
    const cluster = await startCluster({ MYPOSTSHARE_PUBLISH_LEASE_SECONDS: '3' });
    try {
      const ids = await schedulePosts(cluster.apis, cluster.key, POSTS, 5000);
      // Kill a worker while it is publishing: the first one to log a few of its own. Not a worker
      // chosen in advance: nothing shares the work out evenly (whoever polls first claims what is
      // due), and a worker that happened to claim none of the 600 (it was seen: 0, 368 and 232)
      // would leave nothing to recover.
      let victim: MainProcess | undefined;
      await waitFor(
        () => {
          victim = cluster.workers.find((worker) => publishedBy(worker!).length >= 5);
          return victim !== undefined;
        },
        60_000,
        'a worker to publish some posts',
        20,
      );
      const survivors = cluster.workers.filter((worker) => worker !== victim);
      victim!.child.kill('SIGKILL');
      await victim!.exited;
      const publishedBeforeKill = new Set(publishedBy(victim!));

      await waitFor(
        async () => {
          const counts = await cluster.deliveryCounts();
          return (counts.published ?? 0) + (counts.failed ?? 0) === POSTS;
        },
        120_000,
        () => `every delivery settled; now ${JSON.stringify(cluster.lastCounts)}`,
        500,
      );
      // Nothing lost: every delivery ended published (a sandbox publish never fails).
      expect(await cluster.deliveryCounts()).toEqual({ published: POSTS });
      const listed = await listAll(cluster.apis[1]!, cluster.key);
      for (const id of ids) expect(listed.get(id)).toBe('published');

      for (const worker of survivors) await stop(worker!);
      // Nothing doubled: no delivery the victim logged as published was published again, and the
      // survivors published each of the others once.
      const bySurvivors = survivors.flatMap((worker) => publishedBy(worker!));
      expect(new Set(bySurvivors).size).toBe(bySurvivors.length);
      for (const id of bySurvivors)
        expect(publishedBeforeKill.has(id), `delivery ${id} published twice`).toBe(false);
      const { rows } = await cluster.pool.query<{ n: string }>(
        `select count(*) as n from "${cluster.schema}".post_deliveries where external_id is null or published_at is null`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await cluster.pool.end();
    }
  }, 300_000);
});
