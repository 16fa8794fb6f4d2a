import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './2026_11_28_000000_foundation.js';
import * as hostedOauth from './2026_11_28_000100_hosted_oauth.js';
import * as publishing from './2026_11_29_000000_publishing.js';
import * as webhooks from './2026_11_29_000100_webhooks.js';
import * as partialIndexes from './2026_11_29_000200_partial_indexes.js';

/**
 * Every migration, by timestamped name. Listed statically (not read from disk) so the bundled
 * server carries its migrations with it. Append new ones; never edit or reorder old ones.
 */
const migrations: Record<string, Migration> = {
  '2026_11_28_000000_foundation': foundation,
  '2026_11_28_000100_hosted_oauth': hostedOauth,
  '2026_11_29_000000_publishing': publishing,
  '2026_11_29_000100_webhooks': webhooks,
  '2026_11_29_000200_partial_indexes': partialIndexes,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
