/**
 * The CLI's exit codes. Scripts branch on these, so a code never changes meaning once released.
 */
export const EXIT = {
  ok: 0,
  /** Anything not covered below: a bug, an unexpected answer. */
  failure: 1,
  /** Bad arguments, options or configuration; fix the command line. */
  usage: 2,
  /** The token or key was refused (401/403). */
  auth: 3,
  /** The thing asked for does not exist (404). */
  notFound: 4,
  /** The server answered but is failing or not ready (5xx, not a mypostshare server). */
  server: 5,
  /** No answer at all: nothing listening, DNS, timeout. */
  unreachable: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
