import { describe, expect, it } from 'vitest';
import {
  businessUseCaseRetryAfterMs,
  classifyGraphError,
  DAILY_LIMIT_COOL_OFF_MS,
  graphError,
  isGraphFailure,
  POSTING_TOO_FAST_COOL_OFF_MS,
  parseGraphError,
  safeProviderMessage,
} from './graph-errors.js';
import { ProviderError } from './types.js';

const now = new Date('2026-10-01T12:00:00Z');

const body = (code: number | undefined, subcode?: number, message = 'Something happened') => ({
  error: {
    message,
    type: 'OAuthException',
    ...(code === undefined ? {} : { code }),
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
    fbtrace_id: 'AbCdEf123',
  },
});

const classify = (status: number, json: unknown, headers: Record<string, string> = {}) =>
  classifyGraphError({ status, json, headers: new Headers(headers) }, now);

describe('classifyGraphError', () => {
  const table: Array<
    [string, number, number | undefined, number | undefined, 'reconnect' | 'retry' | 'permanent']
  > = [
    // Reconnect: dead tokens and removed permissions.
    ['190 without subcode', 400, 190, undefined, 'reconnect'],
    ...[458, 459, 460, 463, 464, 467, 492].map((sub): [string, number, number, number, 'reconnect'] => [
      `190/${sub}`,
      400,
      190,
      sub,
      'reconnect',
    ]),
    ['190 on a 401', 401, 190, 463, 'reconnect'],
    ['102 session', 400, 102, undefined, 'reconnect'],
    ['10 permission', 403, 10, undefined, 'reconnect'],
    ['200 permission', 403, 200, undefined, 'reconnect'],
    ['230 permission', 400, 230, undefined, 'reconnect'],
    ['299 permission', 400, 299, undefined, 'reconnect'],
    // Retry: transient and rate limits.
    ['1 unknown', 500, 1, undefined, 'retry'],
    ['2 service', 503, 2, undefined, 'retry'],
    ['4 app limit', 400, 4, undefined, 'retry'],
    ['17 user limit', 400, 17, undefined, 'retry'],
    ['32 page limit', 400, 32, undefined, 'retry'],
    ['613 custom limit', 400, 613, undefined, 'retry'],
    ['80001 pages BUC', 400, 80001, undefined, 'retry'],
    ['80002 instagram BUC', 400, 80002, undefined, 'retry'],
    ['368 posting too fast', 400, 368, undefined, 'retry'],
    ['368/1390008 posting too fast', 400, 368, 1390008, 'retry'],
    ['1390008 as code', 400, 1390008, undefined, 'retry'],
    ['IG 2207042 daily limit', 400, 9, 2207042, 'retry'],
    // Permanent: Instagram media problems and anything else 4xx.
    ['IG 2207003', 400, -2, 2207003, 'permanent'],
    ['IG 2207020', 400, -2, 2207020, 'permanent'],
    ['IG 2207009', 400, -1, 2207009, 'permanent'],
    ['IG 2207010', 400, -1, 2207010, 'permanent'],
    ['IG 2207001', 400, -1, 2207001, 'permanent'],
    ['IG 2207050 with a permission-ish code', 400, 10, 2207050, 'permanent'],
    ['100 invalid parameter', 400, 100, undefined, 'permanent'],
    ['100/36009 code already used', 400, 100, 36009, 'permanent'],
    ['unknown 4xx', 404, 803, undefined, 'permanent'],
    ['300 is outside the permission range', 400, 300, undefined, 'permanent'],
    ['9 without the IG subcode', 400, 9, undefined, 'permanent'],
    // 5xx is always transient.
    ['unknown code on 500', 500, 12345, undefined, 'retry'],
    ['no code on 502', 502, undefined, undefined, 'retry'],
  ];

  it.each(table)('%s → %s', (_name, status, code, subcode, kind) => {
    const { classification, providerCode } = classify(status, body(code, subcode));
    expect(classification.kind).toBe(kind);
    if (code !== undefined) {
      expect(providerCode).toBe(subcode === undefined ? `${code}` : `${code}/${subcode}`);
    }
  });

  it('takes the retry hint from X-Business-Use-Case-Usage (minutes, longest wait wins)', () => {
    const header = JSON.stringify({
      '112130216863063': [
        {
          type: 'pages',
          call_count: 100,
          total_cputime: 25,
          total_time: 25,
          estimated_time_to_regain_access: 19,
        },
      ],
      '17841400000000000': [{ type: 'instagram', call_count: 90, estimated_time_to_regain_access: 3 }],
    });
    const { classification } = classify(400, body(80001), { 'X-Business-Use-Case-Usage': header });
    expect(classification).toMatchObject({ kind: 'retry', retryAfterMs: 19 * 60_000 });
  });

  it('falls back to Retry-After, and leaves the hint out when there is none', () => {
    expect(classify(400, body(4), { 'Retry-After': '30' }).classification).toMatchObject({
      kind: 'retry',
      retryAfterMs: 30_000,
    });
    const bare = classify(400, body(17)).classification;
    expect(bare.kind).toBe('retry');
    expect(bare).not.toHaveProperty('retryAfterMs');
  });

  it('gives "posting too fast" and the Instagram daily limit a long cool-off', () => {
    expect(classify(400, body(368, 1390008)).classification).toMatchObject({
      retryAfterMs: POSTING_TOO_FAST_COOL_OFF_MS,
    });
    expect(POSTING_TOO_FAST_COOL_OFF_MS).toBeGreaterThanOrEqual(3600_000);
    expect(classify(400, body(9, 2207042)).classification).toMatchObject({
      retryAfterMs: DAILY_LIMIT_COOL_OFF_MS,
    });
  });

  it('classifies bodies that are not Graph errors by HTTP status', () => {
    expect(classify(401, undefined).classification.kind).toBe('reconnect');
    expect(classify(429, 'rate limited').classification.kind).toBe('retry');
    expect(classify(503, undefined).classification.kind).toBe('retry');
    expect(classify(400, { unexpected: true }).classification.kind).toBe('permanent');
  });

  it("reads Instagram's legacy token-endpoint shape", () => {
    const json = {
      error_type: 'OAuthException',
      code: 400,
      error_message: 'Matching code was not found or was already used',
    };
    expect(parseGraphError(json)).toEqual({
      type: 'OAuthException',
      message: 'Matching code was not found or was already used',
    });
    const { classification, providerCode } = classify(400, json);
    expect(classification.kind).toBe('permanent');
    expect(providerCode).toBe('OAuthException');
  });

  it('parses numeric strings and ignores garbage', () => {
    expect(parseGraphError({ error: { code: '190', error_subcode: '463' } })).toEqual({
      code: 190,
      subcode: 463,
    });
    expect(parseGraphError({ error: { code: 'abc' } })).toEqual({});
    expect(parseGraphError(null)).toBeUndefined();
    expect(parseGraphError([1, 2])).toBeUndefined();
  });
});

describe('businessUseCaseRetryAfterMs', () => {
  it('ignores absent, malformed and zero hints', () => {
    expect(businessUseCaseRetryAfterMs(new Headers())).toBeUndefined();
    expect(
      businessUseCaseRetryAfterMs(new Headers({ 'x-business-use-case-usage': '{not json' })),
    ).toBeUndefined();
    expect(
      businessUseCaseRetryAfterMs(
        new Headers({
          'x-business-use-case-usage': JSON.stringify({ 1: [{ estimated_time_to_regain_access: 0 }] }),
        }),
      ),
    ).toBeUndefined();
  });
});

describe('messages', () => {
  it('never carry token-shaped strings or known secrets', () => {
    const token = 'EAAGm0PX4ZCpsBAKZCZBqZC0ZAZBZCZC0ZAZBZCZC0ZAZBZCZC0ZAZBZCZC';
    const error = graphError(
      'facebook',
      {
        status: 400,
        headers: new Headers(),
        json: body(190, 460, `Error validating access token ${token}; secret s3cr3t was wrong`),
      },
      now,
      { redact: ['s3cr3t'] },
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).toContain('190/460');
    expect(error.classification.kind).toBe('reconnect');
    expect(error.status).toBe(400);
    expect(error.providerCode).toBe('190/460');
  });

  it('are capped in length', () => {
    expect(safeProviderMessage('word '.repeat(200)).length).toBeLessThanOrEqual(200);
  });
});

describe('isGraphFailure', () => {
  it('flags non-2xx answers and 2xx answers carrying an error object', () => {
    expect(isGraphFailure({ status: 400, headers: new Headers(), json: undefined })).toBe(true);
    expect(isGraphFailure({ status: 200, headers: new Headers(), json: body(190) })).toBe(true);
    expect(isGraphFailure({ status: 200, headers: new Headers(), json: { access_token: 'x' } })).toBe(false);
  });
});
