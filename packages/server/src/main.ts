#!/usr/bin/env node
// The only module with side effects: read the environment, start, serve, and stop cleanly.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { bootstrap } from './bootstrap.js';
import { ConfigError, loadConfig } from './env.js';
import { createLoggers } from './logger.js';
import { reencryptAll } from './services/reencrypt.js';
import { VERSION } from './version.js';
import { startWorker } from './worker/index.js';

const USAGE = `Usage: mypostshare-server [command]

Commands:
  (none)      start the server (configuration from the environment; see .env.example)
  reencrypt   re-encrypt every stored secret under the current encryption key, then exit
  help        show this help
`;

/** How long shutdown waits for deliveries in flight before leaving them to lease recovery. */
const PUBLISH_GRACE_MS = 10_000;

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
  const command = process.argv[2];
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== undefined && command !== 'reencrypt') {
    process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
    process.exit(64); // EX_USAGE
  }
  const loggers = createLoggers(config.logLevel);
  const { logger } = loggers;
  const started = await bootstrap(config, loggers, undefined, { firstRun: command !== 'reencrypt' }).catch(
    (error: Error) => {
      process.stderr.write(`mypostshare could not start: ${error.message}\n`);
      process.exit(1);
    },
  );

  if (command === 'reencrypt') {
    // Key rotation: put the new key first in MYPOSTSHARE_ENCRYPTION_KEYS, keep the old ones after it.
    const result = await reencryptAll(started.database.db, started.keyring);
    process.stdout.write(
      `re-encrypted ${result.rewritten} secrets under key ${started.keyring.currentKid}; ${result.current} were already current\n`,
    );
    await started.close();
    return;
  }

  const worker = config.role === 'api' ? undefined : startWorker(started.app.deps);
  const server = http.createServer(started.app.koa.callback());
  // Requests Node refuses before Koa sees them (malformed lines, oversized headers) still get the
  // uniform error body and a request id.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = `req_${randomBytes(12).toString('base64url')}`;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: {
        code: 'validation_error',
        message: tooLarge ? 'Request headers or URL are too large' : 'Malformed HTTP request',
        requestId,
      },
    });
    socket.end(
      // 400 for both, as the contract maps validation_error to 400.
      'HTTP/1.1 400 Bad Request\r\n' +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
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
  lines.push(`  database: ${started.database.label}`);
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
    // Deliveries in flight get a grace period; those still running keep their lease, which lapses,
    // and the next worker recovers them (asking the provider first if the create call went out).
    if (worker) await worker.stop(PUBLISH_GRACE_MS);
    else await started.app.deps.publishing.shutdown(PUBLISH_GRACE_MS);
    await started.close();
    // The log destination buffers; wait for it to drain before exiting.
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: Error) => {
  // A failure after start-up began (the port is taken, say): one clear line, not a stack trace.
  process.stderr.write(`mypostshare could not start: ${error.message}\n`);
  process.exit(1);
});
