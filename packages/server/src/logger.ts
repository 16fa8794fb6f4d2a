import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The server's structured logger. Log lines carry ids, methods, paths and statuses only; the
 * redaction list is a second line of defence for anything that might still carry a secret.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          '*.authorization',
          '*.Authorization',
          'authorization',
          '*.apiKey',
          '*.key',
          '*.token',
          '*.accessToken',
          '*.refreshToken',
          '*.clientSecret',
          '*.code',
          '*.state',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
