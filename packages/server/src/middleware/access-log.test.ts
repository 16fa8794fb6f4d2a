import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Context } from 'koa';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.js';
import { type DatabaseHandle, openDatabase } from '../db/database.js';
import { createLoggers } from '../logger.js';
import { RequestLogBuffer } from '../services/request-log-buffer.js';
import type { AppState } from '../types.js';
import { logRequest } from './access-log.js';

/** Everything written to a destination, as text. */
function capture() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return { stream, written };
}

const fakeContext = (fields: { method: string; path: string; status: number; state: AppState }) =>
  fields as unknown as Context & { state: AppState };

describe('the access line', () => {
  let dir: string;
  let database: DatabaseHandle;
  let requestLog: RequestLogBuffer;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-access-log-'));
    database = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    requestLog = new RequestLogBuffer(database.db, systemClock, pino({ level: 'silent' }));
    // Frozen so pino's line and ours carry the same time.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-29T12:00:00.000Z'));
  });

  afterEach(async () => {
    vi.useRealTimers();
    await requestLog.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const auth = {
    appId: '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a7c31',
    appName: 'Acme',
    sandbox: true,
    keyId: 'key_1',
    keyPrefix: 'mps_test_Ab3d',
  };

  it.each([
    ['a plain path', '/api/v1/end-users/user_123'],
    ['a quote and a backslash', '/api/v1/end-users/a"b\\c'],
    ['control characters', '/api/v1/end-users/tab\there\u0001'],
    ['non-ASCII text', '/api/v1/end-users/zoë-日本-😀'],
  ])('is the line pino writes for the same fields, with %s', (_name, requestPath) => {
    const ours = capture();
    const theirs = capture();
    const loggers = createLoggers('info', ours.stream);
    const reference = pino({ level: 'info', base: undefined }, theirs.stream);
    for (const state of [{ requestId: 'req_AbCdEf0123456789' }, { requestId: 'trace-0001abcd', auth }]) {
      const ctx = fakeContext({ method: 'GET', path: requestPath, status: 200, state });
      // A duration that rounds to hundredths the same way on both sides.
      logRequest(ctx, performance.now(), loggers.accessLog, requestLog);
      const line = ours.written.at(-1)!;
      const fields = JSON.parse(line) as { durationMs: number };
      reference.info(
        {
          requestId: state.requestId,
          method: 'GET',
          path: requestPath,
          status: 200,
          durationMs: fields.durationMs,
          ...(state.auth ? { appId: auth.appId, keyPrefix: auth.keyPrefix } : {}),
        },
        'request',
      );
      expect(line).toBe(theirs.written.at(-1));
      expect(JSON.parse(line).path).toBe(requestPath);
    }
  });

  it('escapes a lone surrogate, so the line stays valid JSON once encoded (pino writes it raw)', () => {
    const ours = capture();
    const loggers = createLoggers('info', ours.stream);
    const requestPath = '/api/v1/end-users/\ud800x';
    const ctx = fakeContext({
      method: 'GET',
      path: requestPath,
      status: 200,
      state: { requestId: 'req_x0000000' },
    });
    logRequest(ctx, performance.now(), loggers.accessLog, requestLog);
    expect(ours.written[0]).toContain('\\ud800x');
    expect(JSON.parse(Buffer.from(ours.written[0]!).toString('utf8')).path).toBe(requestPath);
  });

  /** Logs one request made with `auth`'s key that took `elapsedMs`, at `level`; returns the lines written. */
  const logAuthenticated = (
    level: string,
    fields: { method: string; path: string; status: number; requestId: string },
    elapsedMs: number,
  ) => {
    const ours = capture();
    const ctx = fakeContext({ ...fields, state: { requestId: fields.requestId, auth } });
    logRequest(ctx, performance.now() - elapsedMs, createLoggers(level, ours.stream).accessLog, requestLog);
    return ours.written;
  };

  it('writes nothing above the info level, and still records the request-log entry', async () => {
    const written = logAuthenticated(
      'warn',
      { method: 'POST', path: '/api/v1/end-users', status: 201, requestId: 'req_quietQuietQuiet' },
      12.3456,
    );
    expect(written).toEqual([]);
    await requestLog.flush();
    const rows = await database.db.selectFrom('request_logs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      app_id: auth.appId,
      method: 'POST',
      path: '/api/v1/end-users',
      status: 201,
      request_id: 'req_quietQuietQuiet',
      key_prefix: auth.keyPrefix,
    });
    // Rounded to hundredths, as the access line shows it.
    expect(rows[0]!.duration_ms).toBeGreaterThanOrEqual(12.35);
    expect(Math.round(rows[0]!.duration_ms * 100)).toBe(rows[0]!.duration_ms * 100);
  });

  it('gives the request-log entry the same duration as the access line', async () => {
    const written = logAuthenticated(
      'info',
      { method: 'GET', path: '/api/v1/end-users/u1', status: 404, requestId: 'req_sameSameSameSame' },
      3.21,
    );
    await requestLog.flush();
    const row = await database.db.selectFrom('request_logs').selectAll().executeTakeFirstOrThrow();
    expect(row.duration_ms).toBe((JSON.parse(written[0]!) as { durationMs: number }).durationMs);
  });
});
