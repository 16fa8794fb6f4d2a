import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Runs main.ts as a real process (through tsx) and collects its output. */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs], {
    env: { PATH: process.env.PATH ?? '', MYPOSTSHARE_LOG_LEVEL: 'warn', ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = async () => {
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('listening on')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`did not start: ${stdout}${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('mypostshare-server as a process', () => {
  it('prints the admin token and a sandbox key on first start only, and they work', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-main-'));
    const port = await freePort();
    const first = startMain({ MYPOSTSHARE_DATA_DIR: dataDir, PORT: String(port) });
    await first.listening();
    const banner = first.output().stdout;
    const adminToken = /admin token \(shown once[^:]*\): (mps_admin_\w+)/.exec(banner)?.[1];
    const sandboxKey = /API key \(shown once\): (mps_test_\w+)/.exec(banner)?.[1];
    expect(adminToken).toBeDefined();
    expect(sandboxKey).toBeDefined();
    expect(banner).toContain(`http://localhost:${port}`);
    expect(fs.statSync(path.join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);

    const apps = await fetch(`http://127.0.0.1:${port}/admin/v1/apps`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(apps.status).toBe(200);
    const upsert = await fetch(`http://127.0.0.1:${port}/api/v1/end-users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandboxKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ externalUserId: 'user_123' }),
    });
    expect(upsert.status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startMain({ MYPOSTSHARE_DATA_DIR: dataDir, PORT: String(port) });
    await second.listening();
    const again = second.output().stdout;
    expect(again).not.toContain(adminToken);
    expect(again).not.toMatch(/mps_test_/);
    // Same data directory, same token: the stored one is reused.
    const stillAdmin = await fetch(`http://127.0.0.1:${port}/admin/v1/apps`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(stillAdmin.status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('finishes an in-flight request and flushes the request log on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-main-'));
    const port = await freePort();
    const adminToken = 'a'.repeat(32);
    const run = startMain({
      MYPOSTSHARE_DATA_DIR: dataDir,
      PORT: String(port),
      MYPOSTSHARE_ADMIN_TOKEN: adminToken,
    });
    await run.listening();
    const sandboxKey = /API key \(shown once\): (mps_test_\w+)/.exec(run.output().stdout)?.[1];
    const appId = /sandbox app ([0-9a-f-]{36})/.exec(run.output().stdout)?.[1];
    // Half the body is sent, then the signal lands, then the rest: the request is truly in flight.
    const body = JSON.stringify({ externalUserId: 'slow_user', metadata: { note: 'x'.repeat(10_000) } });
    const inFlight = new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/end-users',
          headers: {
            Authorization: `Bearer ${sandboxKey}`,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.write(body.slice(0, 5000));
      setTimeout(() => {
        run.child.kill('SIGTERM');
        setTimeout(() => request.end(body.slice(5000)), 300);
      }, 300);
    });
    expect(await inFlight).toBe(200);
    expect(await run.exited).toBe(0);

    const restarted = startMain({
      MYPOSTSHARE_DATA_DIR: dataDir,
      PORT: String(port),
      MYPOSTSHARE_ADMIN_TOKEN: adminToken,
    });
    await restarted.listening();
    const logs = await fetch(`http://127.0.0.1:${port}/admin/v1/apps/${appId}/logs`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    const entries = (await logs.json()) as Array<{ path: string; status: number }>;
    expect(entries).toContainEqual(expect.objectContaining({ path: '/api/v1/end-users', status: 200 }));
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });

  it('writes a quiet server’s log lines out promptly, not only once 4 KB have gathered', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-main-'));
    const port = await freePort();
    const run = startMain({
      MYPOSTSHARE_DATA_DIR: dataDir,
      PORT: String(port),
      MYPOSTSHARE_LOG_LEVEL: 'info',
    });
    await run.listening();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/end-users/quiet_user`);
    expect(response.status).toBe(401);
    const requestId = response.headers.get('x-request-id');
    // One access-log line (about 250 bytes), far under the destination's 4 KB batch, with the
    // process still running: it must reach standard output on its own.
    const deadline = Date.now() + 5_000;
    while (!run.output().stdout.includes(`"requestId":"${requestId}"`)) {
      expect(Date.now(), `no log line for ${requestId}: ${run.output().stdout}`).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses to start on bad configuration, listing every problem', async () => {
    const run = startMain({ PORT: 'eighty', MYPOSTSHARE_ROLE: 'boss' });
    expect(await run.exited).toBe(78);
    expect(run.output().stderr).toMatch(/PORT[\s\S]*MYPOSTSHARE_ROLE/);
  });

  it('refuses to start in production without an encryption key', async () => {
    const run = startMain({ NODE_ENV: 'production', MYPOSTSHARE_PUBLIC_URL: 'https://social.example.com' });
    expect(await run.exited).toBe(78);
    expect(run.output().stderr).toContain('MYPOSTSHARE_ENCRYPTION_KEY');
  });

  it('does not create a sandbox app in production', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-main-'));
    const port = await freePort();
    const run = startMain({
      NODE_ENV: 'production',
      MYPOSTSHARE_DATA_DIR: dataDir,
      PORT: String(port),
      MYPOSTSHARE_PUBLIC_URL: `http://localhost:${port}`,
      MYPOSTSHARE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      MYPOSTSHARE_ADMIN_TOKEN: 'b'.repeat(32),
    });
    await run.listening();
    expect(run.output().stdout).not.toMatch(/mps_test_|mps_live_/);
    const apps = await fetch(`http://127.0.0.1:${port}/admin/v1/apps`, {
      headers: { Authorization: `Bearer ${'b'.repeat(32)}` },
    });
    expect(await apps.json()).toEqual([]);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
