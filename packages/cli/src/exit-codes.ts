/**
 * The CLI's exit codes. Scripts branch on these, so a code never changes meaning once released.
 */
export const EXIT = {
  ok: 0,
  /**
   * Anything not covered below: the server refused the request as it stands (409, 422: content a
   * platform rejects, a post that failed, a platform not connected), a bug, an unexpected answer.
   */
  failure: 1,
  /** Bad arguments, options or configuration (a 400 too); fix the command line. */
  usage: 2,
  /** No admin token or API key for this server, or it was refused (401/403). */
  auth: 3,
  /** The thing asked for does not exist (404). */
  notFound: 4,
  /** The server answered but is failing or not ready (5xx, not a mypostshare server). */
  server: 5,
  /** No answer at all: nothing listening, DNS, timeout. */
  unreachable: 6,
  /** Stopped by the user (Ctrl-C at a prompt or while waiting): 128 + SIGINT, as shells do. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
