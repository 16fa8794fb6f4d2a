import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { countApps, insertApp } from '../db/repositories/apps.js';
import { issueApiKey } from './api-keys.js';

/**
 * On an empty database outside production, creates a sandbox app with a key so a developer can
 * call the API right after `npm start`. Returns the key to print, once; undefined otherwise.
 */
export async function createSandboxAppOnFirstRun(
  db: Db,
  clock: Clock,
  production: boolean,
): Promise<{ appId: string; apiKey: string } | undefined> {
  if (production || (await countApps(db)) > 0) return undefined;
  const now = clock.now().toISOString();
  const app = await insertApp(db, { id: randomUUID(), name: 'Sandbox', sandbox: true, now });
  const key = await issueApiKey(db, { id: app.id, sandbox: true }, 'first-run sandbox key', now);
  return { appId: app.id, apiKey: key.key };
}
