import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aad,
  DecryptionError,
  deriveKid,
  EncryptionKeyError,
  KEY_FILE_NAME,
  Keyring,
  type KeyringEnv,
} from './encryption.js';

const SECRET = 'super-secret-refresh-token-1234567890';
const ROW = aad('app_credentials', 'client_secret', 'app_1', 'linkedin');

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mps-crypto-'));
const keyring = (...kids: string[]) => new Keyring(kids.map((kid) => ({ kid, key: randomBytes(32) })));

/** Flips one bit of the decoded segment `index` (2 = nonce, 3 = ciphertext||tag) at `byte`. */
function flip(value: string, index: 2 | 3, byte: number): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  const at = byte < 0 ? bytes.length + byte : byte;
  bytes[at] = bytes[at]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

/** Runs `fn` and returns what it threw, failing the test if it did not throw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('aad', () => {
  it('builds <table>.<column>:<row key...>', () => {
    expect(aad('app_credentials', 'client_secret', 'app_1', 'linkedin')).toBe(
      'app_credentials.client_secret:app_1:linkedin',
    );
  });

  it('keeps distinct row keys distinct even when parts contain the separator', () => {
    expect(aad('t', 'c', 'a:b', 'c')).not.toBe(aad('t', 'c', 'a', 'b:c'));
  });

  it('requires identifiers and a row key', () => {
    expect(() => aad('t', 'c')).toThrow(TypeError);
    expect(() => aad('t.x', 'c', 'r')).toThrow(TypeError);
  });
});

describe('Keyring encrypt/decrypt', () => {
  it('round-trips, including non-ASCII and empty plaintexts', () => {
    const ring = keyring('a');
    for (const plaintext of [SECRET, 'häßlich ✓ 🔑', '']) {
      expect(ring.decrypt(ring.encrypt(plaintext, ROW), ROW)).toBe(plaintext);
    }
  });

  it('uses the v1.<kid>.<nonce>.<body> format with a fresh 12-byte nonce each time', () => {
    const ring = keyring('a');
    const first = ring.encrypt(SECRET, ROW);
    const second = ring.encrypt(SECRET, ROW);
    expect(first).not.toBe(second);
    const [version, kid, nonce, body] = first.split('.');
    expect(version).toBe('v1');
    expect(kid).toBe('a');
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    expect(nonce).not.toBe(second.split('.')[2]);
    // ciphertext is as long as the plaintext, plus the 16-byte tag
    expect(Buffer.from(body!, 'base64url')).toHaveLength(Buffer.byteLength(SECRET) + 16);
    expect(first).not.toContain(SECRET);
  });

  it('fails when the value is moved to another row or column', () => {
    const ring = keyring('a');
    const value = ring.encrypt(SECRET, ROW);
    expect(() => ring.decrypt(value, aad('app_credentials', 'client_secret', 'app_2', 'linkedin'))).toThrow(
      DecryptionError,
    );
    expect(() => ring.decrypt(value, aad('app_credentials', 'client_id', 'app_1', 'linkedin'))).toThrow(
      DecryptionError,
    );
  });

  it('fails on a flipped byte in the ciphertext, the tag or the nonce', () => {
    const ring = keyring('a');
    const value = ring.encrypt(SECRET, ROW);
    for (const tampered of [flip(value, 3, 0), flip(value, 3, -1), flip(value, 3, -16), flip(value, 2, 5)]) {
      expect(tampered).not.toBe(value);
      expect(() => ring.decrypt(tampered, ROW)).toThrow(DecryptionError);
    }
  });

  it('fails on an unknown kid, also when the kid is swapped to another known key', () => {
    const ring = keyring('a', 'b');
    const value = ring.encrypt(SECRET, ROW);
    expect(() => keyring('z').decrypt(value, ROW)).toThrow(/unknown key id "a"/);
    expect(() => ring.decrypt(value.replace(/^v1\.a\./, 'v1.b.'), ROW)).toThrow(DecryptionError);
  });

  it('fails on malformed strings', () => {
    const ring = keyring('a');
    const value = ring.encrypt(SECRET, ROW);
    const [, , nonce, body] = value.split('.');
    const malformed = [
      '',
      SECRET,
      value.replace(/^v1/, 'v2'),
      `${value}.extra`,
      `v1.a.${nonce}`,
      `v1.bad kid.${nonce}.${body}`,
      `v1.a.${nonce}.${body}=`,
      `v1.a.${nonce!.slice(0, -2)}.${body}`,
      `v1.a.${nonce}.AAAA`,
    ];
    for (const bad of malformed) {
      expect(() => ring.decrypt(bad, ROW)).toThrow(DecryptionError);
    }
  });

  it('never puts the plaintext, aad or key material in error messages', () => {
    const key = randomBytes(32);
    const ring = new Keyring([{ kid: 'a', key }]);
    const value = ring.encrypt(SECRET, ROW);
    const errors = [
      thrown(() => ring.decrypt(value, aad('app_credentials', 'client_secret', 'other', 'x'))),
      thrown(() => ring.decrypt(flip(value, 3, 0), ROW)),
      thrown(() => ring.decrypt(SECRET, ROW)),
      thrown(() => keyring('z').decrypt(value, ROW)),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(DecryptionError);
      const text = `${error.message} ${String(error.stack)} ${JSON.stringify(error)}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('app_1');
      expect(text).not.toContain(key.toString('base64'));
      expect(error.cause).toBeUndefined();
    }
  });

  it('keeps key bytes out of inspection and serialization', async () => {
    const key = randomBytes(32);
    const ring = new Keyring([{ kid: 'a', key }]);
    const { inspect } = await import('node:util');
    for (const text of [inspect(ring, { depth: 5, showHidden: true }), JSON.stringify(ring)]) {
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
  });

  it('copies keys so later changes to the caller buffer do not matter', () => {
    const key = randomBytes(32);
    const ring = new Keyring([{ kid: 'a', key }]);
    const value = ring.encrypt(SECRET, ROW);
    key.fill(0);
    expect(ring.decrypt(value, ROW)).toBe(SECRET);
  });

  it('rejects bad keyrings', () => {
    expect(() => new Keyring([])).toThrow(EncryptionKeyError);
    expect(() => new Keyring([{ kid: 'a', key: randomBytes(16) }])).toThrow(EncryptionKeyError);
    expect(() => new Keyring([{ kid: 'a.b', key: randomBytes(32) }])).toThrow(EncryptionKeyError);
    expect(() => new Keyring([{ kid: 'x'.repeat(33), key: randomBytes(32) }])).toThrow(EncryptionKeyError);
    expect(() => keyring('a', 'a')).toThrow(/more than once/);
  });
});

describe('Keyring rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new Keyring([{ kid: 'old', key: oldKey }]);
  const after = new Keyring([
    { kid: 'new', key: newKey },
    { kid: 'old', key: oldKey },
  ]);

  it('decrypts values written under the old key and encrypts new ones under the new key', () => {
    const legacy = before.encrypt(SECRET, ROW);
    expect(after.decrypt(legacy, ROW)).toBe(SECRET);
    expect(after.currentKid).toBe('new');
    expect(after.kids).toEqual(['new', 'old']);
    const fresh = after.encrypt(SECRET, ROW);
    expect(fresh.split('.')[1]).toBe('new');
    // the old keyring alone cannot read it: it really is under the new key
    expect(() => before.decrypt(fresh, ROW)).toThrow(DecryptionError);
  });

  it('needsReencryption and reencrypt move old values to the current key', () => {
    const legacy = before.encrypt(SECRET, ROW);
    expect(after.needsReencryption(legacy)).toBe(true);
    const moved = after.reencrypt(legacy, ROW);
    expect(moved.split('.')[1]).toBe('new');
    expect(after.needsReencryption(moved)).toBe(false);
    expect(after.decrypt(moved, ROW)).toBe(SECRET);
    // once moved, the old key can be dropped
    expect(new Keyring([{ kid: 'new', key: newKey }]).decrypt(moved, ROW)).toBe(SECRET);
    // already current: authenticated and left as is
    expect(after.reencrypt(moved, ROW)).toBe(moved);
  });

  it('reencrypt still checks the associated data', () => {
    const legacy = before.encrypt(SECRET, ROW);
    expect(() => after.reencrypt(legacy, aad('app_credentials', 'client_secret', 'app_9', 'x'))).toThrow(
      DecryptionError,
    );
    const current = after.encrypt(SECRET, ROW);
    expect(() => after.reencrypt(current, aad('app_credentials', 'client_secret', 'app_9', 'x'))).toThrow(
      DecryptionError,
    );
  });

  it('needsReencryption rejects malformed values', () => {
    expect(() => after.needsReencryption('plain')).toThrow(DecryptionError);
  });
});

describe('Keyring.fromEnv', () => {
  const env = (overrides: Partial<KeyringEnv>): KeyringEnv => ({
    dataDir: tempDir(),
    production: false,
    ...overrides,
  });

  /** Expects an EncryptionKeyError naming `variable` and not containing `secret`. */
  function expectKeyError(overrides: Partial<KeyringEnv>, variable: string, secret: string) {
    const error = thrown(() => Keyring.fromEnv(env(overrides)));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toContain(variable);
    if (secret) expect(error.message).not.toContain(secret);
  }

  it('uses MYPOSTSHARE_ENCRYPTION_KEY with a kid derived from the key', () => {
    const key = randomBytes(32);
    const { keyring: ring, generated } = Keyring.fromEnv(
      env({ encryptionKey: key.toString('base64'), production: true }),
    );
    expect(generated).toBe(false);
    expect(ring.currentKid).toMatch(/^k[0-9a-f]{8}$/);
    expect(ring.currentKid).toBe(deriveKid(key));
    // stable: a second start with the same key reads the first one's values
    const again = Keyring.fromEnv(env({ encryptionKey: key.toString('base64') })).keyring;
    expect(again.currentKid).toBe(ring.currentKid);
    expect(again.decrypt(ring.encrypt(SECRET, ROW), ROW)).toBe(SECRET);
    // a different key gets a different kid
    expect(deriveKid(randomBytes(32))).not.toBe(ring.currentKid);
  });

  it('accepts the URL-safe alphabet and unpadded keys', () => {
    const key = randomBytes(32);
    const ring = Keyring.fromEnv(env({ encryptionKey: key.toString('base64url') })).keyring;
    expect(ring.currentKid).toBe(deriveKid(key));
  });

  it('prefers MYPOSTSHARE_ENCRYPTION_KEYS, first key current', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const { keyring: ring } = Keyring.fromEnv(
      env({
        encryptionKeys: ` new:${a.toString('base64')} , old:${b.toString('base64')}`,
        encryptionKey: randomBytes(32).toString('base64'),
        production: true,
      }),
    );
    expect(ring.kids).toEqual(['new', 'old']);
    expect(ring.currentKid).toBe('new');
    const underOld = new Keyring([{ kid: 'old', key: b }]).encrypt(SECRET, ROW);
    expect(ring.decrypt(underOld, ROW)).toBe(SECRET);
  });

  it('rejects malformed base64', () => {
    const bad = `${randomBytes(30).toString('base64').slice(0, 20)}!!@@${randomBytes(6).toString('hex')}`;
    expectKeyError({ encryptionKey: bad }, 'MYPOSTSHARE_ENCRYPTION_KEY', bad);
    expectKeyError({ encryptionKey: 'not base64 at all' }, 'MYPOSTSHARE_ENCRYPTION_KEY', 'not base64');
  });

  it('rejects keys that are not exactly 32 bytes', () => {
    for (const size of [16, 31, 33, 64]) {
      const bad = randomBytes(size).toString('base64');
      expectKeyError({ encryptionKey: bad }, 'MYPOSTSHARE_ENCRYPTION_KEY', bad);
      const error = thrown(() => Keyring.fromEnv(env({ encryptionKey: bad })));
      expect(error.message).toContain(`got ${size}`);
    }
  });

  it('rejects malformed kid:base64 lists without printing the keys', () => {
    const good = randomBytes(32).toString('base64');
    const short = randomBytes(16).toString('base64');
    const cases = [
      good, // a bare key, no kid
      `a:${good},${good}`,
      `a:${short}`,
      `a:${good},b:${randomBytes(33).toString('base64')}`,
      `bad kid:${good}`,
      `:${good}`,
      `a:${good},`,
      `a:${good},a:${randomBytes(32).toString('base64')}`,
      `a:${good}!`,
    ];
    for (const value of cases) {
      expectKeyError({ encryptionKeys: value }, 'MYPOSTSHARE_ENCRYPTION_KEYS', good);
      expectKeyError({ encryptionKeys: value }, 'MYPOSTSHARE_ENCRYPTION_KEYS', good.slice(0, 12));
    }
    expectKeyError({ encryptionKeys: `a:${short}` }, 'MYPOSTSHARE_ENCRYPTION_KEYS', short);
  });

  it('requires a key in production and writes nothing', () => {
    const dataDir = path.join(tempDir(), 'data');
    const error = thrown(() => Keyring.fromEnv({ dataDir, production: true }));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toBe('MYPOSTSHARE_ENCRYPTION_KEY is required in production');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('treats empty values as unset', () => {
    const error = thrown(() =>
      Keyring.fromEnv({ dataDir: tempDir(), production: true, encryptionKey: '', encryptionKeys: '' }),
    );
    expect(error.message).toMatch(/required in production/);
  });

  it('outside production generates a 0600 key file once and reads it back on the next start', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const first = Keyring.fromEnv({ dataDir, production: false });
    expect(first.generated).toBe(true);
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o077).toBe(0);
    const stored = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    expect(stored).toHaveLength(32);
    expect(first.keyring.currentKid).toBe(deriveKid(stored));
    // no temporary files left behind
    expect(fs.readdirSync(dataDir)).toEqual([KEY_FILE_NAME]);

    const second = Keyring.fromEnv({ dataDir, production: false });
    expect(second.generated).toBe(false);
    expect(second.keyring.currentKid).toBe(first.keyring.currentKid);
    expect(second.keyring.decrypt(first.keyring.encrypt(SECRET, ROW), ROW)).toBe(SECRET);
  });

  it('ignores the key file when a key is configured', () => {
    const dataDir = tempDir();
    Keyring.fromEnv({ dataDir, production: false });
    const key = randomBytes(32);
    const ring = Keyring.fromEnv({
      dataDir,
      production: false,
      encryptionKey: key.toString('base64'),
    }).keyring;
    expect(ring.currentKid).toBe(deriveKid(key));
  });

  it('rejects a corrupted key file, naming the file but not its content', () => {
    const dataDir = tempDir();
    const content = randomBytes(20).toString('base64');
    fs.writeFileSync(path.join(dataDir, KEY_FILE_NAME), content, { mode: 0o600 });
    const error = thrown(() => Keyring.fromEnv({ dataDir, production: false }));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toContain(KEY_FILE_NAME);
    expect(error.message).not.toContain(content);
  });
});
