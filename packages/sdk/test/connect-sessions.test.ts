import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { AbortError, NotFoundError, TimeoutError, ValidationError } from '../src/index.js';
import { errorBody, makeClient, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

const SESSION_ID = '9469c610-999a-4cb0-9807-a7037947d6b5';
const SESSION_URL = url(`/v1/connect-sessions/${SESSION_ID}`);
const session = (status: string, errorCode: string | null = null) => ({
  id: SESSION_ID,
  status,
  platform: 'linkedin',
  externalUserId: 'user_123',
  errorCode,
  updatedAt: '2026-03-21T06:58:48.753Z',
});

/** Answers each poll with the next status of the list, repeating the last one. */
function statuses(...list: [string, (string | null)?][]) {
  let index = 0;
  return () => {
    const [status, errorCode] = list[Math.min(index, list.length - 1)] ?? ['pending'];
    index += 1;
    return HttpResponse.json(session(status, errorCode ?? null));
  };
}

describe('connectSessions.create', () => {
  it('sends the display fields and returns the connect URL', async () => {
    let sent: unknown;
    server.use(
      http.post(url('/v1/connect-sessions'), async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(
          {
            id: SESSION_ID,
            status: 'pending',
            platform: 'twitter',
            connectUrl: `https://x.test/connect/${SESSION_ID}`,
          },
          { status: 201 },
        );
      }),
    );
    const params = {
      externalUserId: 'user_123',
      platform: 'twitter' as const,
      redirectUri: 'https://client.example.com/oauth/callback',
      display: { title: 'Connect X to Acme', description: 'To post your updates', accentColor: '#112233' },
    };
    const created = await makeClient().connectSessions.create(params);
    expect(created.connectUrl).toBe(`https://x.test/connect/${SESSION_ID}`);
    expect(sent).toEqual(params);
  });
});

describe('connectSessions.waitForCompletion', () => {
  it('polls until the session is connected and resolves with it', async () => {
    server.use(http.get(SESSION_URL, statuses(['pending'], ['pending'], ['connected'])));
    const result = await makeClient().connectSessions.waitForCompletion(SESSION_ID, { pollInterval: 10 });
    expect(result).toEqual(session('connected'));
    expect(requests).toHaveLength(3);
  });

  it.each([
    ['failed', 'access_denied'],
    ['expired', 'session_expired'],
  ])('resolves with a %s session too, for the caller to inspect', async (status, errorCode) => {
    server.use(http.get(SESSION_URL, statuses(['pending'], [status, errorCode])));
    const result = await makeClient().connectSessions.waitForCompletion(SESSION_ID, { pollInterval: 10 });
    expect(result.status).toBe(status);
    expect(result.errorCode).toBe(errorCode);
    expect(requests).toHaveLength(2);
  });

  it('waits longer between polls each time, up to maxPollInterval', async () => {
    server.use(
      http.get(SESSION_URL, statuses(['pending'], ['pending'], ['pending'], ['pending'], ['connected'])),
    );
    await makeClient().connectSessions.waitForCompletion(SESSION_ID, {
      pollInterval: 40,
      maxPollInterval: 70,
    });
    const gaps = requests.slice(1).map((request, index) => request.at - (requests[index]?.at ?? 0));
    // 40, 60, 70 (capped), 70: each at least the planned wait, and growing.
    expect(gaps).toHaveLength(4);
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(58);
    expect(gaps[2]).toBeGreaterThanOrEqual(68);
    expect(gaps[3]).toBeGreaterThanOrEqual(68);
    expect(gaps[3]).toBeLessThan(400);
  });

  it('rejects with TimeoutError when the session stays pending past the timeout', async () => {
    server.use(http.get(SESSION_URL, statuses(['pending'])));
    const started = Date.now();
    const error = await makeClient()
      .connectSessions.waitForCompletion(SESSION_ID, { timeout: 150, pollInterval: 20 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/still pending after 150 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('rejects with AbortError when the signal aborts, and stops polling', async () => {
    server.use(http.get(SESSION_URL, statuses(['pending'])));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user closed the page')), 100);
    const error = await makeClient()
      .connectSessions.waitForCompletion(SESSION_ID, { signal: controller.signal, pollInterval: 20 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    const polls = requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests).toHaveLength(polls);
  });

  it('passes API errors through', async () => {
    server.use(
      http.get(SESSION_URL, () =>
        HttpResponse.json(errorBody('not_found', 'No such session'), { status: 404 }),
      ),
    );
    await expect(makeClient().connectSessions.waitForCompletion(SESSION_ID)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('rejects a malformed id or option before polling', async () => {
    const client = makeClient();
    await expect(client.connectSessions.waitForCompletion('nope')).rejects.toBeInstanceOf(ValidationError);
    await expect(
      client.connectSessions.waitForCompletion(SESSION_ID, { timeout: -5 }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toHaveLength(0);
  });
});
