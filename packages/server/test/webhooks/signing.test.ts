import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  nextRetryDelayMs,
  parseRetryAfter,
  RETRY_SCHEDULE_MS,
} from '../../src/webhooks/deliver.js';
import {
  generateWebhookSecret,
  newEventId,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  webhookHeaders,
} from '../../src/webhooks/signing.js';

// docs/security.md, "Outbound webhooks (Standard Webhooks)": the test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT_TIMESTAMP = new Date(TIMESTAMP * 1000);

const headers = (overrides: Record<string, string> = {}) => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...overrides,
});

describe('Standard Webhooks signatures', () => {
  it('signs the test vector exactly', () => {
    expect(signWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
    expect(webhookHeaders([SECRET], ID, TIMESTAMP, BODY)).toEqual(headers());
  });

  it('verifies the test vector and returns the parsed body', () => {
    expect(verifyWebhook(BODY, headers(), SECRET, { now: AT_TIMESTAMP })).toEqual({ test: 2432232314 });
    // Headers as a fetch Headers object work too.
    expect(verifyWebhook(BODY, new Headers(headers()), SECRET, { now: AT_TIMESTAMP })).toEqual({
      test: 2432232314,
    });
  });

  it('rejects a tampered body', () => {
    expect(() => verifyWebhook('{"test": 2432232315}', headers(), SECRET, { now: AT_TIMESTAMP })).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyWebhook(`${BODY} `, headers(), SECRET, { now: AT_TIMESTAMP })).toThrow(
      /no matching signature/,
    );
  });

  it('rejects a wrong secret, a changed id and a changed timestamp', () => {
    expect(() =>
      verifyWebhook(BODY, headers(), 'whsec_AAAAr8GKYqrTwjUPD8ILPZIo2LaLaSw', { now: AT_TIMESTAMP }),
    ).toThrow(/no matching signature/);
    expect(() =>
      verifyWebhook(BODY, headers({ 'webhook-id': 'msg_other' }), SECRET, { now: AT_TIMESTAMP }),
    ).toThrow(/no matching signature/);
    expect(() =>
      verifyWebhook(BODY, headers({ 'webhook-timestamp': String(TIMESTAMP + 1) }), SECRET, {
        now: AT_TIMESTAMP,
      }),
    ).toThrow(/no matching signature/);
  });

  it('rejects a timestamp more than 5 minutes away, in either direction', () => {
    const late = new Date((TIMESTAMP + 301) * 1000);
    const early = new Date((TIMESTAMP - 301) * 1000);
    expect(() => verifyWebhook(BODY, headers(), SECRET, { now: late })).toThrow(/tolerance/);
    expect(() => verifyWebhook(BODY, headers(), SECRET, { now: early })).toThrow(/tolerance/);
    // Just inside the window still verifies.
    expect(verifyWebhook(BODY, headers(), SECRET, { now: new Date((TIMESTAMP + 300) * 1000) })).toEqual({
      test: 2432232314,
    });
    // Today, the vector's 2021 timestamp is far too old.
    expect(() => verifyWebhook(BODY, headers(), SECRET)).toThrow(WebhookVerificationError);
  });

  it('rejects missing headers and malformed signature entries', () => {
    const { 'webhook-signature': _signature, ...unsigned } = headers();
    expect(() => verifyWebhook(BODY, unsigned, SECRET, { now: AT_TIMESTAMP })).toThrow(/missing/);
    expect(() =>
      verifyWebhook(BODY, headers({ 'webhook-signature': SIGNATURE.replace('v1,', 'v2,') }), SECRET, {
        now: AT_TIMESTAMP,
      }),
    ).toThrow(/no matching signature/);
    expect(() =>
      verifyWebhook(BODY, headers({ 'webhook-timestamp': 'yesterday' }), SECRET, { now: AT_TIMESTAMP }),
    ).toThrow(/invalid webhook-timestamp/);
  });

  it('accepts any one matching entry of several (a rotation signs with both secrets)', () => {
    const other = generateWebhookSecret();
    const both = webhookHeaders([other, SECRET], ID, TIMESTAMP, BODY);
    expect(both['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(both['webhook-signature']!.split(' ')[1]).toBe(SIGNATURE);
    expect(verifyWebhook(BODY, both, SECRET, { now: AT_TIMESTAMP })).toEqual({ test: 2432232314 });
    expect(verifyWebhook(BODY, both, other, { now: AT_TIMESTAMP })).toEqual({ test: 2432232314 });
  });

  it('generates whsec_ secrets of 32 random bytes and msg_ ids, never twice the same', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(newEventId()).toMatch(/^msg_[A-Za-z0-9]{24}$/);
    expect(newEventId()).not.toBe(newEventId());
  });
});

describe('retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±20 %), then gives up: about a day in all', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect(MAX_ATTEMPTS).toBe(8);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      const base = RETRY_SCHEDULE_MS[attempt - 1]!;
      expect(nextRetryDelayMs(attempt, undefined, low)).toBe(Math.round(base * 0.8));
      expect(nextRetryDelayMs(attempt, undefined, high)).toBeLessThanOrEqual(Math.round(base * 1.2));
      expect(nextRetryDelayMs(attempt, undefined, high)).toBeGreaterThan(base);
    }
    expect(nextRetryDelayMs(MAX_ATTEMPTS, undefined)).toBeUndefined();
    const total = RETRY_SCHEDULE_MS.reduce((sum, wait) => sum + wait, 0);
    expect(total).toBeGreaterThan(24 * 3600_000);
    expect(total).toBeLessThan(30 * 3600_000);
  });

  it("honours the receiver's Retry-After (seconds or a date), within bounds", () => {
    const now = new Date('2026-11-29T10:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    // A Retry-After replaces the scheduled wait, here longer (5 s scheduled) and shorter (5 min).
    expect(nextRetryDelayMs(1, 120_000, () => 0)).toBe(120_000);
    expect(nextRetryDelayMs(2, 10_000, () => 0)).toBe(10_000);
    // Never more than a day, and still bounded by the attempts.
    expect(nextRetryDelayMs(1, 7 * 24 * 3600_000, () => 0)).toBe(24 * 3600_000);
    expect(nextRetryDelayMs(MAX_ATTEMPTS, 1000)).toBeUndefined();
  });
});
