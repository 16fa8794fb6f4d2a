import { createApp, type MyPostShareApp } from './app.js';
import { type Clock, systemClock } from './clock.js';
import { Keyring } from './crypto/encryption.js';
import { type DatabaseHandle, openDatabase } from './db/database.js';
import type { Config } from './env.js';
import type { Loggers } from './logger.js';
import { resolveAdminToken } from './services/admin-token.js';
import { createSandboxAppOnFirstRun } from './services/first-run.js';

export interface Bootstrapped {
  app: MyPostShareApp;
  keyring: Keyring;
  database: DatabaseHandle;
  /** What the first-start banner prints: only things generated during this start. */
  banner: {
    adminToken?: string;
    adminTokenFile?: string;
    sandbox?: { appId: string; apiKey: string };
    encryptionKeyGenerated: boolean;
  };
  /** Flushes buffers and closes the database. */
  close(): Promise<void>;
}

/**
 * Everything main.ts does before listening: keys, database and migrations, admin token, the
 * first-run sandbox app, and the Koa app. Tests use it too, so they run the real start-up path.
 */
export async function bootstrap(
  config: Config,
  loggers: Loggers,
  clock: Clock = systemClock,
  /** `firstRun: false` skips creating the first-run sandbox app (maintenance commands). */
  options: { firstRun?: boolean } = {},
): Promise<Bootstrapped> {
  const { keyring, generated: encryptionKeyGenerated } = Keyring.fromEnv({
    encryptionKey: config.encryptionKey,
    encryptionKeys: config.encryptionKeys,
    dataDir: config.dataDir,
    production: config.production,
  });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.databaseSchema,
    poolSize: config.databasePoolSize,
  });
  const admin = resolveAdminToken(config.adminToken, config.dataDir);
  const sandbox =
    options.firstRun === false
      ? undefined
      : await createSandboxAppOnFirstRun(database.db, clock, config.production);
  const app = createApp({
    config,
    db: database.db,
    secrets: keyring,
    logger: loggers.logger,
    accessLog: loggers.accessLog,
    adminToken: admin.token,
    clock,
  });
  return {
    app,
    keyring,
    database,
    banner: {
      ...(admin.generated ? { adminToken: admin.token } : {}),
      ...(admin.file ? { adminTokenFile: admin.file } : {}),
      ...(sandbox ? { sandbox } : {}),
      encryptionKeyGenerated,
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
