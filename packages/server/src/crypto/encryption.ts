import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encryption at rest for provider tokens and client secrets (DESIGN.md "Secrets", docs/security.md
 * items 20-22): AES-256-GCM with a fresh 96-bit nonce per write, the key id stored in the ciphertext
 * so rotated-out keys still decrypt old rows, and associated data binding each value to its row and
 * column so a ciphertext copied elsewhere fails to decrypt.
 *
 * Serialized form: `v1.<kid>.<base64url nonce>.<base64url ciphertext||tag>`.
 */

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
// Standard or URL-safe alphabet, padding optional; anything else is a typo worth stopping on rather
// than something Buffer.from would silently skip over.
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const KEY_FILE_NAME = 'encryption.key';
const ENV_KEY = 'MYPOSTSHARE_ENCRYPTION_KEY';
const ENV_KEYS = 'MYPOSTSHARE_ENCRYPTION_KEYS';

/** A missing, malformed or wrong-sized key. Its message names the variable or file, never the key. */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/**
 * A value that cannot be decrypted: tampered, bound to another row, under an unknown key or not in
 * the serialized format. Its message never contains plaintext, ciphertext or key material.
 */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export interface KeyringEntry {
  kid: string;
  key: Uint8Array;
}

export interface KeyringEnv {
  encryptionKey?: string | undefined;
  encryptionKeys?: string | undefined;
  dataDir: string;
  production: boolean;
}

/**
 * The key id used for a single key given without one (`MYPOSTSHARE_ENCRYPTION_KEY` or the generated
 * key file): derived from the key itself so it is the same on every start, and so an operator moving
 * to `MYPOSTSHARE_ENCRYPTION_KEYS` can list the old key under this id and keep old rows readable.
 */
export function deriveKid(key: Uint8Array): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/**
 * The associated data for a column value: `<table>.<column>:<rowKey>:<rowKey>...`, e.g.
 * `aad('app_credentials', 'client_secret', appId, platform)`. Row key parts are percent-encoded
 * (a no-op for ordinary ids) so two different rows can never produce the same string.
 */
export function aad(table: string, column: string, ...rowKey: string[]): string {
  if (!IDENTIFIER_PATTERN.test(table) || !IDENTIFIER_PATTERN.test(column)) {
    throw new TypeError('aad: table and column must be identifiers');
  }
  // Without a row key a value could be moved between rows of the same column unnoticed.
  if (rowKey.length === 0) throw new TypeError('aad: at least one row key part is required');
  return `${table}.${column}:${rowKey.map((part) => encodeURIComponent(part)).join(':')}`;
}

/**
 * One or more AES-256 keys by key id; the first is current and encrypts every new value, the others
 * only decrypt values written before a rotation.
 */
export class Keyring {
  // Private fields keep key bytes out of console.log, util.inspect and JSON.stringify output.
  readonly #keys = new Map<string, Buffer>();
  readonly #currentKid: string;

  constructor(entries: readonly KeyringEntry[]) {
    const first = entries[0];
    if (!first) throw new EncryptionKeyError('A keyring needs at least one key');
    for (const { kid, key } of entries) {
      if (!KID_PATTERN.test(kid)) {
        throw new EncryptionKeyError('Key ids must be 1-32 characters of A-Z, a-z, 0-9, _ or -');
      }
      if (this.#keys.has(kid)) throw new EncryptionKeyError(`Key id "${kid}" is used more than once`);
      if (key.length !== KEY_BYTES) {
        throw new EncryptionKeyError(`Key "${kid}" must be exactly ${KEY_BYTES} bytes, got ${key.length}`);
      }
      // A copy, so a caller reusing or zeroing its buffer cannot change the keyring.
      this.#keys.set(kid, Buffer.from(key));
    }
    this.#currentKid = first.kid;
  }

  /**
   * Builds the keyring from configuration: `MYPOSTSHARE_ENCRYPTION_KEYS` (`kid:base64,...`, first
   * current) wins over `MYPOSTSHARE_ENCRYPTION_KEY` (one base64 key). With neither, production stops;
   * elsewhere the key in `<dataDir>/encryption.key` is used, generated (mode 0600) on first start.
   */
  static fromEnv(env: KeyringEnv): { keyring: Keyring; generated: boolean } {
    const keys = env.encryptionKeys?.trim();
    if (keys) return { keyring: new Keyring(parseKeyList(keys)), generated: false };
    const single = env.encryptionKey?.trim();
    if (single) {
      const key = decodeKey(single, ENV_KEY);
      return { keyring: new Keyring([{ kid: deriveKid(key), key }]), generated: false };
    }
    if (env.production) throw new EncryptionKeyError(`${ENV_KEY} is required in production`);
    const { key, generated } = loadOrCreateKeyFile(env.dataDir);
    return { keyring: new Keyring([{ kid: deriveKid(key), key }]), generated };
  }

  /** The id of the key new values are encrypted with. */
  get currentKid(): string {
    return this.#currentKid;
  }

  /** Every key id this keyring can decrypt, current first. */
  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  /** Encrypts under the current key; `aad` (see {@link aad}) must be given again to decrypt. */
  encrypt(plaintext: string, associatedData: string): string {
    const key = this.#keys.get(this.#currentKid)!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.#currentKid}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Decrypts a value from {@link encrypt} with the key its kid names; throws {@link DecryptionError}. */
  decrypt(ciphertext: string, associatedData: string): string {
    const parsed = parseCiphertext(ciphertext);
    const key = this.#keys.get(parsed.kid);
    // The kid passed KID_PATTERN, so echoing it cannot smuggle anything into logs.
    if (!key) throw new DecryptionError(`Cannot decrypt value: unknown key id "${parsed.kid}"`);
    const tagStart = parsed.body.length - TAG_BYTES;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, parsed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(parsed.body.subarray(tagStart));
      const plain = Buffer.concat([decipher.update(parsed.body.subarray(0, tagStart)), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      // Node's own error says nothing useful and is dropped, so no cause chain can carry data out.
      throw new DecryptionError(
        'Cannot decrypt value: authentication failed (tampered, or stored for another row or column)',
      );
    }
  }

  /** True when the value was encrypted under a key other than the current one. */
  needsReencryption(ciphertext: string): boolean {
    return parseCiphertext(ciphertext).kid !== this.#currentKid;
  }

  /**
   * Moves a value to the current key. A value already under the current key is still authenticated
   * but returned unchanged, so a rotation pass only rewrites rows that need it.
   */
  reencrypt(ciphertext: string, associatedData: string): string {
    const plaintext = this.decrypt(ciphertext, associatedData);
    if (!this.needsReencryption(ciphertext)) return ciphertext;
    return this.encrypt(plaintext, associatedData);
  }
}

function decodeKey(value: string, source: string): Buffer {
  if (!BASE64_PATTERN.test(value)) {
    throw new EncryptionKeyError(
      `${source} is not valid base64 (expected ${KEY_BYTES} random bytes, base64)`,
    );
  }
  // Node's base64 decoder accepts both alphabets, so keys in either spelling work.
  const key = Buffer.from(value, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new EncryptionKeyError(
      `${source} must decode to exactly ${KEY_BYTES} bytes, got ${key.length} (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

function parseKeyList(value: string): KeyringEntry[] {
  const seen = new Set<string>();
  return value.split(',').map((raw, index) => {
    const where = `${ENV_KEYS} entry ${index + 1}`;
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    // The entry itself is never quoted: it may be a bare key pasted without its kid.
    if (colon < 0) throw new EncryptionKeyError(`${where} is not in the form kid:base64`);
    const kid = entry.slice(0, colon).trim();
    if (!KID_PATTERN.test(kid)) {
      throw new EncryptionKeyError(
        `${where} has an invalid key id (1-32 characters of A-Z, a-z, 0-9, _ or -)`,
      );
    }
    // Checked here rather than left to the constructor so the message names the variable.
    if (seen.has(kid)) throw new EncryptionKeyError(`${where} repeats key id "${kid}"`);
    seen.add(kid);
    return { kid, key: decodeKey(entry.slice(colon + 1).trim(), `${where} ("${kid}")`) };
  });
}

function loadOrCreateKeyFile(dataDir: string): { key: Buffer; generated: boolean } {
  const file = path.join(dataDir, KEY_FILE_NAME);
  const existing = readKeyFile(file);
  if (existing) return { key: existing, generated: false };

  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // Written to a temporary file and hard-linked into place: link fails if the file exists, so two
  // processes starting together (api and worker roles) agree on one key, and neither ever reads a
  // half-written file.
  const temp = path.join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${key.toString('base64')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.linkSync(temp, file);
    return { key, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = readKeyFile(file);
    if (!raced) throw error;
    return { key: raced, generated: false };
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function readKeyFile(file: string): Buffer | undefined {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return decodeKey(content.trim(), `Key file ${file}`);
}

function parseCiphertext(value: string): { kid: string; nonce: Buffer; body: Buffer } {
  const malformed = () =>
    new DecryptionError('Cannot decrypt value: not an encrypted value in a known format');
  if (typeof value !== 'string') throw malformed();
  const parts = value.split('.');
  if (parts.length !== 4) throw malformed();
  const [version, kid, nonceText, bodyText] = parts as [string, string, string, string];
  if (version !== VERSION || !KID_PATTERN.test(kid)) throw malformed();
  const nonce = decodeBase64url(nonceText);
  const body = decodeBase64url(bodyText);
  if (!nonce || !body || nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw malformed();
  return { kid, nonce, body };
}

function decodeBase64url(text: string): Buffer | undefined {
  if (!BASE64URL_PATTERN.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical text (stray trailing bits) so each stored value has exactly one spelling.
  return bytes.toString('base64url') === text ? bytes : undefined;
}
