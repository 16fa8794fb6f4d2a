#!/usr/bin/env node
// The publishing benchmark's baseline: bare Koa 3 + better-sqlite3 storing and listing post
// requests of the same shape as the API's, with no auth, validation, logging, router, query
// builder, scheduler or provider. "The same insert / list with nothing else around it."
//
//   PORT=9001 node bench/baseline-posts.mjs
//
// POST /api/v1/posts, POST /api/v1/posts/scheduled -> 201 the stored request
// GET  /api/v1/posts?limit=50                      -> 200 the newest 50, in the list item shape
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
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mps-baseline-posts-')), 'baseline.db');

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.exec(`
  CREATE TABLE IF NOT EXISTS posts (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    external_user_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    platforms TEXT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    schedule_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS posts_app_created_idx ON posts (app_id, created_at, id);
`);

const APP_ID = '00000000-0000-4000-8000-000000000000';
const insert = db.prepare(`
  INSERT INTO posts (id, app_id, external_user_id, mode, status, platforms, content, metadata, schedule_at, created_at, updated_at)
  VALUES (@id, @app_id, @external_user_id, @mode, @status, @platforms, @content, @metadata, @schedule_at, @now, @now)
  RETURNING *
`);
const newest = db.prepare('SELECT * FROM posts WHERE app_id = ? ORDER BY created_at DESC, id DESC LIMIT ?');

const toListItem = (row) => ({
  id: row.id,
  mode: row.mode,
  status: row.status,
  externalUserId: row.external_user_id,
  platforms: JSON.parse(row.platforms),
  ...(row.schedule_at ? { scheduleAt: row.schedule_at } : {}),
  createdAt: row.created_at,
});
const toPost = (row) => ({
  ...toListItem(row),
  platformResults: [],
  content: row.content,
  metadata: JSON.parse(row.metadata),
  updatedAt: row.updated_at,
});

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

const app = new Koa();
app.silent = true;
app.use(async (ctx) => {
  if (ctx.method === 'POST' && (ctx.path === '/api/v1/posts' || ctx.path === '/api/v1/posts/scheduled')) {
    const body = await readJson(ctx.req);
    const row = insert.get({
      id: randomUUID(),
      app_id: APP_ID,
      external_user_id: body.externalUserId,
      mode: body.scheduleAt ? 'scheduled' : 'immediate',
      status: body.scheduleAt ? 'scheduled' : 'published',
      platforms: JSON.stringify(body.platforms),
      content: body.content,
      metadata: JSON.stringify(body.metadata ?? {}),
      schedule_at: body.scheduleAt ?? null,
      now: new Date().toISOString(),
    });
    ctx.status = 201;
    ctx.body = toPost(row);
    return;
  }
  if (ctx.method === 'GET' && ctx.path === '/api/v1/posts') {
    ctx.body = newest.all(APP_ID, Math.min(Number(ctx.query.limit ?? 50), 200)).map(toListItem);
    return;
  }
  ctx.status = 404;
});

const server = http.createServer(app.callback());
server.listen(port, host, () => {
  process.stdout.write(`baseline-posts listening on http://${host}:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
