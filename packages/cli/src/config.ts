import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** Where a local server listens by default (the server's PORT default). */
export const DEFAULT_SERVER_URL = 'http://localhost:8787';

/**
 * The server origin to talk to: `--server`, else `MYPOSTSHARE_SERVER_URL`, else the local default.
 * Returned without a trailing slash so paths can be appended.
 */
export function resolveServerUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MYPOSTSHARE_SERVER_URL?.trim() || undefined;
  const raw = flag ?? fromEnv ?? DEFAULT_SERVER_URL;
  const source =
    flag !== undefined ? '--server' : fromEnv !== undefined ? 'MYPOSTSHARE_SERVER_URL' : 'default';
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new CliError(`${source} must be an http(s) URL such as ${DEFAULT_SERVER_URL}, got "${raw}"`, {
      exitCode: EXIT.usage,
    });
  }
  return url.href.replace(/\/+$/, '');
}
