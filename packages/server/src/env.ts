import path from 'node:path';
import { z } from 'zod';

const PLATFORM_PREFIXES = ['LINKEDIN', 'FACEBOOK', 'INSTAGRAM', 'TWITTER', 'YOUTUBE'] as const;

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));
const optionalUrl = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url({ protocol: /^https?$/ }).optional());
const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');

const providerVariables = Object.fromEntries(
  PLATFORM_PREFIXES.flatMap((platform) => [
    [`MYPOSTSHARE_${platform}_CLIENT_ID`, optionalString],
    [`MYPOSTSHARE_${platform}_CLIENT_SECRET`, optionalString],
    [`MYPOSTSHARE_${platform}_AUTHORIZE_URL`, optionalUrl],
    [`MYPOSTSHARE_${platform}_TOKEN_URL`, optionalUrl],
    [`MYPOSTSHARE_${platform}_API_URL`, optionalUrl],
  ]),
) as Record<string, typeof optionalString>;

/**
 * Every environment variable the server reads, with its default. This is the only place that
 * reads `process.env`; `.env.example` documents each variable.
 */
const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  MYPOSTSHARE_PUBLIC_URL: optionalUrl,
  MYPOSTSHARE_DATA_DIR: z.string().min(1).default('./.mypostshare'),
  MYPOSTSHARE_DATABASE_URL: optionalString,
  MYPOSTSHARE_DATABASE_SCHEMA: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be letters, digits and underscores (at most 63)')
        .optional(),
    ),
  MYPOSTSHARE_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  MYPOSTSHARE_ADMIN_TOKEN: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  MYPOSTSHARE_ENCRYPTION_KEY: optionalString,
  MYPOSTSHARE_ENCRYPTION_KEYS: optionalString,
  MYPOSTSHARE_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  MYPOSTSHARE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  MYPOSTSHARE_RATE_LIMIT_RPS: z.coerce.number().min(0).default(50),
  MYPOSTSHARE_RATE_LIMIT_BURST: z.coerce.number().int().min(1).optional(),
  MYPOSTSHARE_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: booleanFlag,
  MYPOSTSHARE_CONNECT_SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  MYPOSTSHARE_CONNECT_BROWSER_BINDING: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  MYPOSTSHARE_SCHEDULE_HORIZON_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  MYPOSTSHARE_PUBLISH_WAIT_SECONDS: z.coerce.number().min(0).max(120).default(15),
  MYPOSTSHARE_PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  MYPOSTSHARE_SANDBOX_PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(256),
  MYPOSTSHARE_PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  MYPOSTSHARE_PUBLISH_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  MYPOSTSHARE_MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  MYPOSTSHARE_MEDIA_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  MYPOSTSHARE_LINKEDIN_VERSION: optionalString,
  MYPOSTSHARE_GRAPH_API_VERSION: optionalString,
  MYPOSTSHARE_YOUTUBE_UPLOAD_URL: optionalUrl,
  MYPOSTSHARE_YOUTUBE_REVOKE_URL: optionalUrl,
  MYPOSTSHARE_FACEBOOK_VIDEO_API_URL: optionalUrl,
  ...providerVariables,
});

export type ProviderEndpoints = {
  clientId?: string;
  clientSecret?: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  apiUrl?: string;
};

/** The server's configuration, parsed once at start-up. */
export interface Config {
  production: boolean;
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL: the schema to use when the URL's `?schema=` names none. */
  databaseSchema: string | undefined;
  /** PostgreSQL: pooled connections per process. */
  databasePoolSize: number;
  adminToken: string | undefined;
  encryptionKey: string | undefined;
  encryptionKeys: string | undefined;
  role: 'all' | 'api' | 'worker';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  rateLimit: { rps: number; burst: number };
  bodyLimitBytes: number;
  allowPrivateNetwork: boolean;
  /** How long a connect session's link stays usable. */
  connectSessionTtlMs: number;
  publishing: {
    /** How far ahead `scheduleAt` may be. */
    scheduleHorizonMs: number;
    /** How long `POST /v1/posts` waits for outcomes before answering (the rest continues in the background). */
    waitMs: number;
    /** Deliveries in flight at once per platform (live apps), per process. */
    concurrency: number;
    /** Deliveries in flight at once for all sandbox apps, per process. */
    sandboxConcurrency: number;
    /** Provider attempts per platform before a retryable failure becomes final. */
    maxAttempts: number;
    /** How long a claimed delivery stays owned without a heartbeat before another worker recovers it. */
    leaseMs: number;
    /** Largest media file fetched (bytes). */
    mediaMaxBytes: number;
    /** Time to the first byte, and the longest silence while reading, of a media fetch. */
    mediaTimeoutMs: number;
  };
  /** Whether the OAuth callback must come from the browser that started the flow (security.md item 9). */
  connectBrowserBinding: boolean;
  providers: Record<Lowercase<(typeof PLATFORM_PREFIXES)[number]>, ProviderEndpoints>;
  linkedinVersion: string | undefined;
  graphApiVersion: string | undefined;
  youtubeUploadUrl: string | undefined;
  youtubeRevokeUrl: string | undefined;
  /** Facebook's video host (`https://graph-video.facebook.com`), a base like the API URLs. */
  facebookVideoApiUrl: string | undefined;
}

/** Thrown when the environment is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a {@link Config}, listing every bad variable at once.
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '9000' });
 * config.publicUrl; // 'http://localhost:9000'
 * ```
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  // An empty variable (`PORT=` copied from .env.example) means "use the default", not "zero".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !values.MYPOSTSHARE_ENCRYPTION_KEY && !values.MYPOSTSHARE_ENCRYPTION_KEYS) {
    problems.push('MYPOSTSHARE_ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  if (production && !values.MYPOSTSHARE_PUBLIC_URL) {
    problems.push('MYPOSTSHARE_PUBLIC_URL: required when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const rps = values.MYPOSTSHARE_RATE_LIMIT_RPS;
  const provider = (prefix: (typeof PLATFORM_PREFIXES)[number]): ProviderEndpoints => {
    const read = (suffix: string) =>
      values[`MYPOSTSHARE_${prefix}_${suffix}` as keyof typeof values] as string | undefined;
    return {
      clientId: read('CLIENT_ID'),
      clientSecret: read('CLIENT_SECRET'),
      authorizeUrl: read('AUTHORIZE_URL'),
      tokenUrl: read('TOKEN_URL'),
      apiUrl: read('API_URL'),
    };
  };
  return {
    production,
    port: values.PORT,
    host: values.HOST,
    publicUrl: (values.MYPOSTSHARE_PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    dataDir: path.resolve(values.MYPOSTSHARE_DATA_DIR),
    databaseUrl: values.MYPOSTSHARE_DATABASE_URL,
    databaseSchema: values.MYPOSTSHARE_DATABASE_SCHEMA,
    databasePoolSize: values.MYPOSTSHARE_DATABASE_POOL_SIZE,
    adminToken: values.MYPOSTSHARE_ADMIN_TOKEN,
    encryptionKey: values.MYPOSTSHARE_ENCRYPTION_KEY,
    encryptionKeys: values.MYPOSTSHARE_ENCRYPTION_KEYS,
    role: values.MYPOSTSHARE_ROLE,
    logLevel: values.MYPOSTSHARE_LOG_LEVEL,
    rateLimit: { rps, burst: values.MYPOSTSHARE_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(rps * 2)) },
    bodyLimitBytes: values.MYPOSTSHARE_BODY_LIMIT_BYTES,
    allowPrivateNetwork: values.MYPOSTSHARE_ALLOW_PRIVATE_NETWORK,
    connectSessionTtlMs: values.MYPOSTSHARE_CONNECT_SESSION_TTL_MINUTES * 60_000,
    connectBrowserBinding: values.MYPOSTSHARE_CONNECT_BROWSER_BINDING,
    publishing: {
      scheduleHorizonMs: values.MYPOSTSHARE_SCHEDULE_HORIZON_DAYS * 86_400_000,
      waitMs: values.MYPOSTSHARE_PUBLISH_WAIT_SECONDS * 1000,
      concurrency: values.MYPOSTSHARE_PUBLISH_CONCURRENCY,
      sandboxConcurrency: values.MYPOSTSHARE_SANDBOX_PUBLISH_CONCURRENCY,
      maxAttempts: values.MYPOSTSHARE_PUBLISH_MAX_ATTEMPTS,
      leaseMs: values.MYPOSTSHARE_PUBLISH_LEASE_SECONDS * 1000,
      mediaMaxBytes: values.MYPOSTSHARE_MEDIA_MAX_BYTES,
      mediaTimeoutMs: values.MYPOSTSHARE_MEDIA_TIMEOUT_SECONDS * 1000,
    },
    providers: {
      linkedin: provider('LINKEDIN'),
      facebook: provider('FACEBOOK'),
      instagram: provider('INSTAGRAM'),
      twitter: provider('TWITTER'),
      youtube: provider('YOUTUBE'),
    },
    linkedinVersion: values.MYPOSTSHARE_LINKEDIN_VERSION,
    graphApiVersion: values.MYPOSTSHARE_GRAPH_API_VERSION,
    youtubeUploadUrl: values.MYPOSTSHARE_YOUTUBE_UPLOAD_URL,
    youtubeRevokeUrl: values.MYPOSTSHARE_YOUTUBE_REVOKE_URL,
    facebookVideoApiUrl: values.MYPOSTSHARE_FACEBOOK_VIDEO_API_URL,
  };
}
