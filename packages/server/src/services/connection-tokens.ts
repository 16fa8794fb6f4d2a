import type { Platform } from '@mypostshare/contract';

/**
 * Associated data for a connection's encrypted tokens. Bound to the end user and platform, which
 * identify the row for its whole life (reconnects update it in place), so a token copied to
 * another row does not decrypt.
 */
export const connectionTokenAad = (column: string, endUserId: string, platform: Platform) =>
  `connections.${column}:${endUserId}:${platform}`;
