import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MyPostShare } from '@mypostshare/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../../packages/server/src/worker/index.js';
// The example against the real server, in process, with its real worker ticking every second;
// the server's HTTP-level browser stand-in approves the hosted connect flow.
import { FlowClient } from '../../../packages/server/test/connect/flow-client.js';
import { startTestServer, type TestServer } from '../../../packages/server/test/harness.js';
import { scheduleAndPoll } from './schedule-and-poll.js';

describe('examples/schedule-and-poll against a real sandbox server', () => {
  let server: TestServer;
  let worker: WorkerHandle;

  /** What the end user does with a connect link: open it and approve. */
  async function approve(connectUrl: string) {
    const browser = new FlowClient(server);
    const authorize = await browser.start(connectUrl);
    const callback = await browser.sandboxDecide(authorize, 'approve');
    const back = await browser.fetch(callback);
    expect(new URL(back.location ?? 'http://invalid/').searchParams.get('status')).toBe('connected');
  }

  beforeAll(async () => {
    server = await startTestServer();
    worker = startWorker(server.started.app.deps);
  });

  afterAll(async () => {
    await worker?.stop(1_000);
    await server?.close();
  });

  it('connects, schedules, and polls until the worker has published the post', async () => {
    const client = new MyPostShare({ apiKey: server.sandboxKey, baseUrl: `${server.baseUrl}/api` });
    const lines: string[] = [];
    const links: string[] = [];
    const post = await scheduleAndPoll({
      client,
      externalUserId: 'script_user',
      platforms: ['linkedin', 'twitter'],
      content: 'Scheduled by the example test',
      delaySeconds: 1,
      pollIntervalMs: 200,
      onConnectUrl: async (url) => {
        links.push(url);
        await approve(url);
      },
      log: (line) => lines.push(line),
    });
    expect(links).toHaveLength(2);
    expect(post.status).toBe('published');
    expect(post.platformResults.map((result) => result.status)).toEqual(['published', 'published']);
    expect(lines).toContain('connected linkedin');
    expect(lines.some((line) => line.startsWith(`scheduled ${post.id}`))).toBe(true);
    expect(lines).toContain('status: published');
    expect(lines.some((line) => line.includes(post.id) && line.includes('published'))).toBe(true);

    // A second run finds the platforms connected and asks for nothing.
    const again = await scheduleAndPoll({
      client,
      externalUserId: 'script_user',
      platforms: ['twitter'],
      content: 'And a failing one [sandbox:fail]',
      delaySeconds: 1,
      pollIntervalMs: 200,
      onConnectUrl: () => {
        throw new Error('should not be asked to connect again');
      },
      log: () => {},
    });
    expect(again.status).toBe('failed');
  });

  it('runs as the README says: `npm start` with the sandbox key', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    // `npm start` is `tsx src/main.ts`; spawning node with tsx directly skips npm's own start-up.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--user', 'cli_user', '--in', '1'],
      {
        cwd,
        env: {
          ...process.env,
          MYPOSTSHARE_API_KEY: server.sandboxKey,
          MYPOSTSHARE_BASE_URL: `${server.baseUrl}/api`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const approvals: Promise<void>[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      for (const match of String(chunk).matchAll(/Open this link to connect \w+, then come back: (\S+)/g)) {
        approvals.push(approve(match[1] ?? ''));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.all(approvals);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('connected linkedin');
    expect(stdout).toContain('status: published');
    expect(stdout).toMatch(/linkedin: published/);
  }, 60_000);
});
