#!/usr/bin/env node
// The only module with side effects: read the environment, start, serve, and stop cleanly.
import http from 'node:http';
import { bootstrap } from './bootstrap.js';
import { ConfigError, loadConfig } from './env.js';
import { createLogger } from './logger.js';
import { VERSION } from './version.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const started = await bootstrap(config, logger).catch((error: Error) => {
    process.stderr.write(`mypostshare could not start: ${error.message}\n`);
    process.exit(1);
  });

  const server = http.createServer(started.app.koa.callback());
  // Slow clients must not hold sockets forever; keep-alive stays longer than typical proxies' 60 s.
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });

  const { banner } = started;
  const lines = [
    `mypostshare ${VERSION} listening on ${config.publicUrl} (bound to ${config.host}:${config.port})`,
  ];
  lines.push(`  database: ${started.database.filename}`);
  if (banner.adminToken) {
    lines.push(`  admin token (shown once, stored in ${banner.adminTokenFile}): ${banner.adminToken}`);
  } else if (banner.adminTokenFile) {
    lines.push(`  admin token: stored in ${banner.adminTokenFile}`);
  }
  if (banner.sandbox) {
    lines.push(`  sandbox app ${banner.sandbox.appId} API key (shown once): ${banner.sandbox.apiKey}`);
    lines.push(
      `  try: curl -H "Authorization: Bearer ${banner.sandbox.apiKey}" ${config.publicUrl}/api/v1/end-users/user_123`,
    );
  }
  if (banner.encryptionKeyGenerated)
    lines.push(`  generated an encryption key in ${config.dataDir} (development only)`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then flush logs and close the database.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    await started.app.close();
    await closed;
    await started.close();
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
