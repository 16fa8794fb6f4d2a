#!/usr/bin/env node
// `npm run bench`, publishing part: post routes against a bare Koa + better-sqlite3 baseline
// (interleaved rounds, like bench/run.mjs), then the scheduler on its own: a backlog of 10,000
// sandbox posts due at one instant, and a steady 100 scheduled posts per second. See bench/README.md.
// BENCH_DATABASE=postgres runs our server on PostgreSQL (a fresh schema per part, dropped when the
// part ends); the routes baseline stays the bare SQLite one.
//
// Needs a build (`npm run bench` builds first). Everything it starts it stops.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { benchDatabase, createBenchSchema, within } from './postgres.mjs';
import { serverNodeFlags, spawnLogging } from './server-command.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const config = {
  /** Our server's database: `sqlite` (a file in a temporary data dir) or `postgres`. */
  database: benchDatabase(),
  seconds: num('BENCH_SECONDS', 5),
  rounds: num('BENCH_ROUNDS', 3),
  connections: num('BENCH_CONNECTIONS', 50),
  drainPosts: num('BENCH_DRAIN_POSTS', 10_000),
  /** How far ahead of "now" the backlog is due: writing it must fit in this. */
  drainLeadMs: num('BENCH_DRAIN_LEAD_MS', 5000),
  steadyRate: num('BENCH_STEADY_RATE', 100),
  steadySeconds: num('BENCH_STEADY_SECONDS', 60),
  parts: (process.env.BENCH_PUBLISHING_PARTS || 'routes,drain,steady').split(','),
  /** Which route scenarios the routes part runs (schedule, publish, list). */
  routes: (process.env.BENCH_PUBLISHING_ROUTES || 'schedule,publish,list').split(','),
  serverEntry: path.resolve(root, 'packages/server/dist/main.js'),
};
const TARGETS = {
  schedule: { minRpsRatio: 0.6 },
  publish: { minRpsRatio: 0.4 },
  list: { minRpsRatio: 0.8 },
  drainMs: 5000,
  steadyP99Ms: 2000,
  rssMb: 200,
};

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set();
const tempDirs = new Set();
/** PostgreSQL schemas not dropped yet (BENCH_DATABASE=postgres: one per part). */
const schemas = new Set();
const killChildren = () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
};
/** Stops every server still running, then drops every schema left: on failure and on Ctrl-C. */
async function abandon() {
  killChildren();
  await within(Promise.all([...schemas].map((schema) => schema.drop())), 25_000);
}
process.on('exit', () => {
  killChildren();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // A second signal stops waiting for the schema drop (an exit hook still tries, synchronously).
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    abandon().finally(() => process.exit(130));
  });
}

const freePort = () =>
  new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('MYPOSTSHARE_') || ['NODE_ENV', 'PORT', 'HOST', 'NODE_OPTIONS'].includes(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Starts a server with its standard output going to a file in `dir` (bench/server-command.mjs
 * says why) and resolves once `readyPattern` shows there.
 */
async function start(name, args, env, { dir, readyPattern = /listening on/ }) {
  const { child, banner } = await spawnLogging({
    name,
    args,
    env,
    cwd: root,
    logFile: path.join(dir, 'stdout.log'),
    readyPattern,
    onSpawn: (spawned) => children.add(spawned),
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => {
        children.delete(child);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { child, banner, stop };
}

/** Our server, on a fresh database: a new data dir, and on PostgreSQL a new schema too. */
async function startOurs() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-bench-pub-'));
  tempDirs.add(dataDir);
  let pg;
  if (config.database === 'postgres') {
    pg = await createBenchSchema();
    schemas.add(pg);
  }
  const port = await freePort();
  const handle = await start(
    'ours',
    [...serverNodeFlags(), config.serverEntry],
    cleanEnv({
      PORT: String(port),
      MYPOSTSHARE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      MYPOSTSHARE_DATA_DIR: dataDir,
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
      MYPOSTSHARE_LOG_LEVEL: 'info',
      ...(pg ? pg.serverEnv : {}),
    }),
    // The sandbox key is printed with the banner, after "listening on".
    { dir: dataDir, readyPattern: /listening on[\s\S]*API key \(shown once\): mps_test_\w+\r?\n/ },
  );
  const key = /API key \(shown once\): (mps_test_\w+)/.exec(handle.banner)?.[1];
  if (!key) throw new Error(`no sandbox key in the banner:\n${handle.banner}`);
  const url = `http://127.0.0.1:${port}`;
  if (pg) report.postgres.push(pg.describe());
  return {
    ...handle,
    name: 'ours',
    url,
    key,
    dataDir,
    dbFile: path.join(dataDir, 'mypostshare.db'),
    pg,
    // Stops the server, then drops its schema.
    stop: async () => {
      await handle.stop();
      if (pg) {
        await pg.drop();
        schemas.delete(pg);
      }
    },
  };
}

async function startBaseline() {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-bench-base-'));
  tempDirs.add(dataDir);
  const handle = await start(
    'baseline',
    [path.join(here, 'baseline-posts.mjs')],
    cleanEnv({
      PORT: String(port),
      BASELINE_DB: path.join(dataDir, 'baseline.db'),
    }),
    { dir: dataDir },
  );
  return { ...handle, name: 'baseline', url: `http://127.0.0.1:${port}`, key: 'unused' };
}

/** Peak RSS of a process, sampled every 100 ms until `stop()`. */
function sampleRss(pid) {
  let peakKb = 0;
  const read = () => {
    try {
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {}
  };
  const timer = setInterval(read, 100);
  return () => {
    clearInterval(timer);
    read();
    return peakKb / 1024;
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP: the API, and the sandbox connect flow (a tiny cookie-keeping browser)

async function api(server, method, route, body) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${server.key}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

async function connectSandbox(server, externalUserId, platform) {
  await api(server, 'POST', '/api/v1/end-users', { externalUserId });
  const session = await api(server, 'POST', '/api/v1/connect-sessions', {
    externalUserId,
    platform,
    redirectUri: `${server.url}/connect/complete`,
  });
  if (session.status !== 201) throw new Error(`connect session answered ${session.status}: ${session.text}`);
  const cookies = new Map();
  const browse = async (url, form) => {
    const headers = { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const target = url.startsWith('http') ? url : `${server.url}${url}`;
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    };
  };
  await browse(session.body.connectUrl);
  const started = await browse(`/connect/${session.body.id}/start`, {});
  const authorize = new URL(started.location);
  const decided = await browse('/connect/sandbox/decide', {
    state: authorize.searchParams.get('state'),
    code_challenge: authorize.searchParams.get('code_challenge'),
    decision: 'approve',
  });
  const done = await browse(decided.location);
  if (!done.location?.includes('status=connected')) throw new Error(`sandbox connect failed: ${done.status}`);
}

// ---------------------------------------------------------------------------------------------
// Part 1: routes against the baseline

const farFuture = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const ROUTES = {
  schedule: {
    title: 'POST /api/v1/posts/scheduled',
    method: 'POST',
    path: '/api/v1/posts/scheduled',
    body: () => ({
      externalUserId: 'bench_user',
      content: 'Scheduled by the benchmark',
      platforms: ['linkedin'],
      scheduleAt: farFuture(),
    }),
  },
  publish: {
    title: 'POST /api/v1/posts (sandbox, publishes)',
    method: 'POST',
    path: '/api/v1/posts',
    body: () => ({
      externalUserId: 'bench_user',
      content: 'Published by the benchmark',
      platforms: ['linkedin'],
    }),
  },
  list: { title: 'GET /api/v1/posts (50 items)', method: 'GET', path: '/api/v1/posts?limit=50' },
};

function load(server, scenario, seconds) {
  return new Promise((resolve, reject) => {
    const body = scenario.body ? JSON.stringify(scenario.body()) : undefined;
    autocannon(
      {
        url: `${server.url}${scenario.path}`,
        method: scenario.method,
        connections: config.connections,
        duration: seconds,
        headers: {
          Authorization: `Bearer ${server.key}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function routesPart(report) {
  const ours = await startOurs();
  const base = await startBaseline();
  const stopRss = sampleRss(ours.child.pid);
  await connectSandbox(ours, 'bench_user', 'linkedin');
  // Enough rows for a full page on both sides.
  for (const server of [ours, base]) {
    for (let index = 0; index < 60; index += 1)
      await api(server, 'POST', ROUTES.schedule.path, ROUTES.schedule.body());
  }
  for (const name of config.routes) {
    const scenario = ROUTES[name];
    for (const server of [ours, base]) {
      const warm = await load(server, scenario, 1);
      if (warm.non2xx > 0)
        throw new Error(`${server.name} ${scenario.title}: ${warm.non2xx} non-2xx answers`);
    }
    const rounds = { ours: [], baseline: [] };
    for (let round = 0; round < config.rounds; round += 1) {
      const order = round % 2 === 0 ? [ours, base] : [base, ours];
      for (const server of order) {
        const result = await load(server, scenario, config.seconds);
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(
            `${server.name} ${scenario.title}: ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        }
        rounds[server.name].push({ rps: result.requests.average, p99: result.latency.p99 });
      }
    }
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const oursRps = median(rounds.ours.map((r) => r.rps));
    const baseRps = median(rounds.baseline.map((r) => r.rps));
    report.routes[name] = {
      title: scenario.title,
      oursRps,
      baseRps,
      ratio: oursRps / baseRps,
      oursP99: median(rounds.ours.map((r) => r.p99)),
      baseP99: median(rounds.baseline.map((r) => r.p99)),
      target: TARGETS[name].minRpsRatio,
      rounds,
    };
    process.stderr.write(`bench: ${scenario.title}: ${(oursRps / baseRps).toFixed(2)}x\n`);
  }
  report.rssMb.routes = stopRss();
  await ours.stop();
  await base.stop();
}

// ---------------------------------------------------------------------------------------------
// Part 2: the scheduler

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads our server's deliveries straight from its database (SQLite file, read-only, or the
 * PostgreSQL schema): how many are published, and when each was due and published.
 */
async function openStore(ours) {
  if (ours.pg) {
    const client = await ours.pg.client();
    return {
      published: async () =>
        (await client.query("SELECT count(*)::int AS n FROM post_deliveries WHERE status = 'published'"))
          .rows[0].n,
      times: async () =>
        (
          await client.query(
            "SELECT d.published_at, p.schedule_at FROM post_deliveries d JOIN posts p ON p.id = d.post_id WHERE d.status = 'published'",
          )
        ).rows,
      close: () => client.end(),
    };
  }
  const db = new Database(ours.dbFile, { readonly: true, fileMustExist: true });
  const count = db.prepare("SELECT count(*) AS n FROM post_deliveries WHERE status = 'published'");
  const times = db.prepare(
    "SELECT d.published_at, p.schedule_at FROM post_deliveries d JOIN posts p ON p.id = d.post_id WHERE d.status = 'published'",
  );
  return {
    published: async () => count.get().n,
    times: async () => times.all(),
    close: async () => db.close(),
  };
}

/** Copies one post and its delivery `count` times (new ids, due at `due`), replacing the original. */
function writeBacklogSqlite(ours, seedId, count, due) {
  const writer = new Database(ours.dbFile, { fileMustExist: true });
  writer.pragma('busy_timeout = 5000');
  const post = writer.prepare('SELECT * FROM posts WHERE id = ?').get(seedId);
  const delivery = writer.prepare('SELECT * FROM post_deliveries WHERE post_id = ?').get(seedId);
  const insertRow = (table, row) =>
    writer.prepare(
      `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
        .map(() => '?')
        .join(', ')})`,
    );
  const insertPost = insertRow('posts', post);
  const insertDelivery = insertRow('post_deliveries', delivery);
  writer.transaction(() => {
    writer.prepare('DELETE FROM posts WHERE id = ?').run(seedId);
    for (let index = 0; index < count; index += 1) {
      const postId = randomUUID();
      insertPost.run(
        ...Object.values({
          ...post,
          id: postId,
          content: `Backlog post ${index}`,
          schedule_at: due,
          effective_at: due,
        }),
      );
      insertDelivery.run(
        ...Object.values({ ...delivery, id: randomUUID(), post_id: postId, next_attempt_at: due }),
      );
    }
  })();
  writer.close();
}

/** The same on PostgreSQL, in one transaction, with multi-row inserts of 500 rows. */
async function writeBacklogPostgres(ours, seedId, count, due) {
  const client = await ours.pg.client();
  try {
    const post = (await client.query('SELECT * FROM posts WHERE id = $1', [seedId])).rows[0];
    const delivery = (await client.query('SELECT * FROM post_deliveries WHERE post_id = $1', [seedId]))
      .rows[0];
    const posts = [];
    const deliveries = [];
    for (let index = 0; index < count; index += 1) {
      const postId = randomUUID();
      posts.push({
        ...post,
        id: postId,
        content: `Backlog post ${index}`,
        schedule_at: due,
        effective_at: due,
      });
      deliveries.push({ ...delivery, id: randomUUID(), post_id: postId, next_attempt_at: due });
    }
    const insert = async (table, rows) => {
      const columns = Object.keys(rows[0]);
      for (let start = 0; start < rows.length; start += 500) {
        const values = [];
        const tuples = rows.slice(start, start + 500).map(
          (row) =>
            `(${columns
              .map((column) => {
                values.push(row[column]);
                return `$${values.length}`;
              })
              .join(', ')})`,
        );
        await client.query(
          `INSERT INTO ${table} (${columns.map((column) => `"${column}"`).join(', ')}) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
    };
    await client.query('BEGIN');
    await client.query('DELETE FROM posts WHERE id = $1', [seedId]);
    await insert('posts', posts);
    await insert('post_deliveries', deliveries);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

async function drainPart(report) {
  const ours = await startOurs();
  const stopRss = sampleRss(ours.child.pid);
  await connectSandbox(ours, 'bench_user', 'linkedin');
  // The backlog is copied straight into the database from one request made through the API: the
  // drain measures the scheduler, and creating 10,000 posts over HTTP first would take longer
  // than any sensible lead time on a busy machine.
  const seed = await api(ours, 'POST', '/api/v1/posts/scheduled', {
    externalUserId: 'bench_user',
    content: 'Backlog seed',
    platforms: ['linkedin'],
    scheduleAt: farFuture(),
  });
  if (seed.status !== 201) throw new Error(`scheduling answered ${seed.status}: ${seed.text}`);
  const dueAt = new Date(Date.now() + config.drainLeadMs);
  const createStarted = Date.now();
  if (ours.pg) await writeBacklogPostgres(ours, seed.body.id, config.drainPosts, dueAt.toISOString());
  else writeBacklogSqlite(ours, seed.body.id, config.drainPosts, dueAt.toISOString());
  const createMs = Date.now() - createStarted;
  if (Date.now() >= dueAt.getTime()) {
    throw new Error(
      `writing the backlog took ${createMs} ms, longer than its lead time (BENCH_DRAIN_LEAD_MS=${config.drainLeadMs})`,
    );
  }
  const store = await openStore(ours);
  const deadline = dueAt.getTime() + 120_000;
  while ((await store.published()) < config.drainPosts && Date.now() < deadline) await sleep(100);
  const published = (await store.times()).map((row) => Date.parse(row.published_at)).sort((a, b) => a - b);
  await store.close();
  const stats = { n: published.length, first: published[0], last: published[published.length - 1] };
  report.drain = {
    posts: config.drainPosts,
    published: stats.n,
    writeBacklogMs: createMs,
    firstPublishAfterDueMs: stats.first - dueAt.getTime(),
    allPublishedAfterDueMs: stats.last - dueAt.getTime(),
    target: TARGETS.drainMs,
  };
  report.rssMb.drain = stopRss();
  await ours.stop();
}

async function steadyPart(report) {
  const ours = await startOurs();
  const stopRss = sampleRss(ours.child.pid);
  await connectSandbox(ours, 'bench_user', 'linkedin');
  const total = config.steadyRate * config.steadySeconds;
  const started = Date.now();
  const pending = [];
  for (let index = 0; index < total; index += 1) {
    // Paced: post i goes out at started + i / rate, due two seconds after it was created.
    const wait = started + (index * 1000) / config.steadyRate - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      api(ours, 'POST', '/api/v1/posts/scheduled', {
        externalUserId: 'bench_user',
        content: `Steady post ${index}`,
        platforms: ['linkedin'],
        scheduleAt: new Date(Date.now() + 2000).toISOString(),
      }),
    );
  }
  const answers = await Promise.all(pending);
  const refused = answers.filter((answer) => answer.status !== 201).length;
  if (refused > 0) {
    const sample = answers.find((answer) => answer.status !== 201);
    process.stderr.write(
      `bench: ${refused} scheduling requests refused, e.g. ${sample.status} ${sample.text.slice(0, 200)}\n`,
    );
  }
  const store = await openStore(ours);
  const deadline = Date.now() + 30_000;
  while ((await store.published()) < total - refused && Date.now() < deadline) await sleep(200);
  const lags = (await store.times())
    .map((row) => Date.parse(row.published_at) - Date.parse(row.schedule_at))
    .sort((a, b) => a - b);
  await store.close();
  const at = (q) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN;
  report.steady = {
    rate: config.steadyRate,
    seconds: config.steadySeconds,
    scheduled: total - refused,
    refused,
    published: lags.length,
    lagP50Ms: at(0.5),
    lagP99Ms: at(0.99),
    lagMaxMs: lags[lags.length - 1],
    target: TARGETS.steadyP99Ms,
  };
  report.rssMb.steady = stopRss();
  await ours.stop();
}

// ---------------------------------------------------------------------------------------------

for (const [knob, names, known] of [
  ['BENCH_PUBLISHING_PARTS', config.parts, ['routes', 'drain', 'steady']],
  ['BENCH_PUBLISHING_ROUTES', config.routes, Object.keys(ROUTES)],
]) {
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown ${unknown.join(', ')} in ${knob} (known: ${known.join(', ')})\n`);
    process.exit(2);
  }
}

const report = {
  startedAt: new Date().toISOString(),
  /** Our server's database; the routes baseline is always bare SQLite. */
  database: config.database,
  baselineDatabase: 'sqlite',
  /** The schema of each part (BENCH_DATABASE=postgres). */
  ...(config.database === 'postgres' ? { postgres: [] } : {}),
  machine: { cpus: os.cpus().length },
  config,
  routes: {},
  rssMb: {},
};
try {
  if (config.parts.includes('routes')) await routesPart(report);
  if (config.parts.includes('drain')) await drainPart(report);
  if (config.parts.includes('steady')) await steadyPart(report);
} catch (error) {
  // After a signal the parts fail on the servers they lost: only the signal is worth reporting.
  if (!interrupted) process.stderr.write(`bench: error: ${error.stack ?? error.message}\n`);
  await abandon();
  process.exit(interrupted ? 130 : 1);
}

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const lines = [
  '',
  config.database === 'postgres'
    ? 'publishing on PostgreSQL — ours on PostgreSQL (a fresh schema per part); the routes baseline is the same bare SQLite one'
    : 'publishing on SQLite — ours and the bare baseline both on SQLite',
  'publishing  ours req/s  base req/s  ratio   target  ours p99  base p99  result',
];
for (const entry of Object.values(report.routes)) {
  lines.push(
    `${entry.title.padEnd(40)} ${fmt(entry.oursRps).padStart(6)} ${fmt(entry.baseRps).padStart(10)} ${fmt(entry.ratio, 2).padStart(6)}x  >=${entry.target}x ${fmt(entry.oursP99).padStart(6)} ms ${fmt(entry.baseP99).padStart(6)} ms  ${entry.ratio >= entry.target ? 'met' : 'MISSED'}`,
  );
}
if (report.drain) {
  const d = report.drain;
  lines.push(
    `drain: ${d.published}/${d.posts} sandbox posts due at one instant, all published ${fmt(d.allPublishedAfterDueMs)} ms after due (first after ${fmt(d.firstPublishAfterDueMs)} ms; target < ${d.target} ms) ${d.published === d.posts && d.allPublishedAfterDueMs < d.target ? 'met' : 'MISSED'}`,
  );
}
if (report.steady) {
  const s = report.steady;
  lines.push(
    `steady: ${s.rate}/s for ${s.seconds} s, ${s.published}/${s.scheduled} published; lag scheduleAt→published p50 ${fmt(s.lagP50Ms)} ms, p99 ${fmt(s.lagP99Ms)} ms, max ${fmt(s.lagMaxMs)} ms (target p99 < ${s.target} ms) ${s.lagP99Ms < s.target && s.published === s.scheduled ? 'met' : 'MISSED'}`,
  );
}
const peak = Math.max(...Object.values(report.rssMb));
lines.push(
  `server RSS peak: ${fmt(peak)} MB (${Object.entries(report.rssMb)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ')}; target < ${TARGETS.rssMb} MB) ${peak < TARGETS.rssMb ? 'met' : 'MISSED'}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
const resultFile = path.join(
  here,
  'results',
  config.database === 'postgres' ? 'publishing-postgres.json' : 'publishing.json',
);
fs.writeFileSync(resultFile, JSON.stringify(report, null, 2));
process.stdout.write(`wrote ${path.relative(process.cwd(), resultFile) || resultFile}\n`);
process.exit(0);
