#!/usr/bin/env node
// The benchmark's baseline: bare Koa 3 + better-sqlite3 doing the same read and upsert as the
// end-user API, with no auth, no validation, no logging, no router and no query builder.
// It is what "the same work with nothing else around it" costs on this machine.
//
//   PORT=9000 BASELINE_DB=/tmp/x/baseline.db node bench/baseline-server.mjs
//
// GET  /api/v1/end-users/:externalUserId  -> 200 the row (404 if missing)
// POST /api/v1/end-users                  -> 200 the row after INSERT ... ON CONFLICT DO UPDATE
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import Koa from 'koa';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const file =
  process.env.BASELINE_DB ??
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mps-baseline-')), 'baseline.db');

const db = new Database(file);
// Same durability settings as the real server (packages/server/src/db/database.ts).
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.exec(`
  CREATE TABLE IF NOT EXISTS end_users (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    external_user_id TEXT NOT NULL,
    display_name TEXT,
    email TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, external_user_id)
  );
  CREATE INDEX IF NOT EXISTS end_users_app_created_idx ON end_users (app_id, created_at, id);
`);

// One fixed app: the baseline has no auth, so every request belongs to it.
const APP_ID = '00000000-0000-4000-8000-000000000000';

const selectOne = db.prepare('SELECT * FROM end_users WHERE app_id = ? AND external_user_id = ?');
const upsert = db.prepare(`
  INSERT INTO end_users (id, app_id, external_user_id, display_name, email, metadata, created_at, updated_at)
  VALUES (@id, @app_id, @external_user_id, @display_name, @email, @metadata, @now, @now)
  ON CONFLICT (app_id, external_user_id) DO UPDATE SET
    display_name = excluded.display_name,
    email = excluded.email,
    metadata = excluded.metadata,
    updated_at = excluded.updated_at
  RETURNING *
`);

// The same response shape as the API, so both sides serialise a comparable body.
const toEndUser = (row) => ({
  id: row.id,
  externalUserId: row.external_user_id,
  displayName: row.display_name,
  email: row.email,
  metadata: JSON.parse(row.metadata),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const PREFIX = '/api/v1/end-users';

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

const app = new Koa();
app.silent = true;
app.use(async (ctx) => {
  if (ctx.method === 'GET' && ctx.path.startsWith(`${PREFIX}/`)) {
    const externalUserId = decodeURIComponent(ctx.path.slice(PREFIX.length + 1));
    const row = selectOne.get(APP_ID, externalUserId);
    if (!row) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found' } };
      return;
    }
    ctx.body = toEndUser(row);
    return;
  }
  if (ctx.method === 'POST' && ctx.path === PREFIX) {
    const body = await readJson(ctx.req);
    const row = upsert.get({
      id: randomUUID(),
      app_id: APP_ID,
      external_user_id: body.externalUserId,
      display_name: body.displayName ?? null,
      email: body.email ?? null,
      metadata: JSON.stringify(body.metadata ?? {}),
      now: new Date().toISOString(),
    });
    ctx.body = toEndUser(row);
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
    return;
  }
  ctx.status = 404;
  ctx.body = { error: { code: 'not_found' } };
});

const server = http.createServer(app.callback());
// Same socket settings as the real server's main.ts.
server.requestTimeout = 60_000;
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`baseline listening on http://${host}:${address.port} (database: ${file})\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
