import type { Platform } from '@mypostshare/contract';

/** Who made an API-key request: resolved once by the auth middleware. */
export interface ApiKeyAuth {
  appId: string;
  appName: string;
  sandbox: boolean;
  keyId: string;
  keyPrefix: string;
}

/** `ctx.state` across the server. */
export interface AppState {
  requestId: string;
  auth?: ApiKeyAuth;
  admin?: true;
  /** The path to record in the request log instead of the real one (erasure blanks the user id). */
  logPath?: string;
  /** The parsed JSON body, set by the body middleware. */
  body?: unknown;
}

export type { Platform };
