import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/env.js';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8787);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://localhost:8787');
    expect(config.role).toBe('all');
    expect(config.rateLimit).toEqual({ rps: 50, burst: 100 });
    expect(config.bodyLimitBytes).toBe(1_048_576);
    expect(config.allowPrivateNetwork).toBe(false);
    expect(config.production).toBe(false);
  });

  it('treats empty variables as unset, so a copied .env.example keeps the defaults', () => {
    const config = loadConfig({ PORT: '', MYPOSTSHARE_RATE_LIMIT_RPS: '', MYPOSTSHARE_ADMIN_TOKEN: '' });
    expect(config.port).toBe(8787);
    expect(config.rateLimit.rps).toBe(50);
    expect(config.adminToken).toBeUndefined();
  });

  it('derives the public URL from the port and strips a trailing slash from an explicit one', () => {
    expect(loadConfig({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ MYPOSTSHARE_PUBLIC_URL: 'https://social.example.com/' }).publicUrl).toBe(
      'https://social.example.com',
    );
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MYPOSTSHARE_ROLE: 'boss',
        MYPOSTSHARE_LOG_LEVEL: 'loud',
        MYPOSTSHARE_PUBLIC_URL: 'not a url',
        MYPOSTSHARE_ADMIN_TOKEN: 'short',
        MYPOSTSHARE_LINKEDIN_TOKEN_URL: 'ftp://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'MYPOSTSHARE_ROLE',
      'MYPOSTSHARE_LOG_LEVEL',
      'MYPOSTSHARE_PUBLIC_URL',
      'MYPOSTSHARE_ADMIN_TOKEN',
      'MYPOSTSHARE_LINKEDIN_TOKEN_URL',
    ]) {
      expect(problems).toContain(name);
    }
    // The offending admin token value itself is never echoed.
    expect(problems).not.toContain('short');
  });

  it('requires an encryption key and a public URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /MYPOSTSHARE_ENCRYPTION_KEY[\s\S]*MYPOSTSHARE_PUBLIC_URL/,
    );
  });

  it('reads provider endpoints per platform', () => {
    const config = loadConfig({
      MYPOSTSHARE_TWITTER_API_URL: 'http://127.0.0.1:9000/fake-x',
      MYPOSTSHARE_TWITTER_CLIENT_ID: 'client',
    });
    expect(config.providers.twitter).toMatchObject({
      apiUrl: 'http://127.0.0.1:9000/fake-x',
      clientId: 'client',
    });
    expect(config.providers.linkedin.apiUrl).toBeUndefined();
  });

  it('turns the rate limit off with 0 and derives the burst from the rate', () => {
    expect(loadConfig({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' }).rateLimit.rps).toBe(0);
    expect(loadConfig({ MYPOSTSHARE_RATE_LIMIT_RPS: '10' }).rateLimit).toEqual({ rps: 10, burst: 20 });
  });
});
