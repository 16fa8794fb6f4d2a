import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure to report to the user: one line of message, an optional hint on how to fix it, and the
 * exit code. Commands throw it; `run()` prints it and exits.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}

/** What a command knows that makes an error message useful. */
export interface ErrorContext {
  /** The server origin talked to. */
  server: string;
  /** Which credential the failing call used. */
  credential: 'admin' | 'apiKey' | undefined;
  /** Where that credential came from (`profile "default"`, `MYPOSTSHARE_API_KEY`). */
  credentialSource: string | undefined;
  /** The command to list what a 404 could not find (`mypostshare apps list`). */
  listCommand: string | undefined;
}

export const UNREACHABLE_HINT =
  'is the server running? Start one with `npx mypostshare-server`, or point the CLI at yours with --server <url> or MYPOSTSHARE_SERVER_URL';

// The SDK's error classes are recognised by shape, not `instanceof`: the SDK is imported lazily,
// and a CLI error path must not load it just to classify a failure.
interface SdkApiError {
  name: string;
  message: string;
  status: number;
  code?: string;
  requestId?: string;
}

function isApiError(error: unknown): error is SdkApiError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

// Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`, one or two levels down.
function networkReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

function authHint(context: ErrorContext): string {
  const from = context.credentialSource ? ` (from ${context.credentialSource})` : '';
  return context.credential === 'apiKey'
    ? `the API key${from} was refused by ${context.server}: create one with \`mypostshare keys create --save\`, or set MYPOSTSHARE_API_KEY`
    : `the admin token${from} was refused by ${context.server}: run \`mypostshare login\` again, or set MYPOSTSHARE_ADMIN_TOKEN`;
}

const CODE_HINTS: Record<string, string> = {
  redirect_uri_not_allowed:
    'allowlist it with `mypostshare redirects add <uri>` (exact match: scheme, host, port and path)',
  platform_not_connected: 'link the account first with `mypostshare connect <user> <platform>`',
  content_invalid: '`mypostshare platforms` lists each platform’s rules; `post --dry-run` checks a post',
  rate_limited: 'wait a moment and try again',
};

/** Turns anything a command threw into a `CliError` with the right exit code and a hint. */
export function toCliError(error: unknown, context: ErrorContext): CliError {
  if (error instanceof CliError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'ExitPromptError' || name === 'AbortPromptError') {
    return new CliError('cancelled', { exitCode: EXIT.interrupted });
  }
  if (isApiError(error)) {
    const suffix = [error.code, error.requestId ? `request ${error.requestId}` : undefined]
      .filter(Boolean)
      .join(', ');
    // The server's messages already name the offending fields (`details` repeats them).
    const message = `${error.message.replace(/\.$/, '')}${suffix ? ` [${suffix}]` : ''}`;
    const codeHint = error.code ? CODE_HINTS[error.code] : undefined;
    if (error.status === 401 || error.status === 403) {
      return new CliError(message, { exitCode: EXIT.auth, hint: authHint(context), cause: error });
    }
    if (error.status === 404) {
      return new CliError(message, {
        exitCode: EXIT.notFound,
        hint: context.listCommand ? `check the id: \`${context.listCommand}\` lists them` : undefined,
        cause: error,
      });
    }
    if (error.status >= 500) {
      return new CliError(`the server failed: ${message}`, {
        exitCode: EXIT.server,
        hint: "see the server's log for the request id",
        cause: error,
      });
    }
    if (error.status === 400) {
      return new CliError(message, {
        exitCode: EXIT.usage,
        hint: codeHint ?? 'check the arguments (--help shows them)',
        cause: error,
      });
    }
    return new CliError(message, { exitCode: EXIT.failure, hint: codeHint, cause: error });
  }
  if (name === 'ValidationError') {
    return new CliError((error as Error).message, {
      exitCode: EXIT.usage,
      hint: 'check the arguments (--help shows them)',
      cause: error,
    });
  }
  if (name === 'TimeoutError') {
    return new CliError(`no answer from ${context.server} in time`, {
      exitCode: EXIT.unreachable,
      hint: UNREACHABLE_HINT,
      cause: error,
    });
  }
  if (name === 'ConnectionError') {
    return new CliError(
      `cannot reach the mypostshare server at ${context.server} (${networkReason(error)})`,
      {
        exitCode: EXIT.unreachable,
        hint: UNREACHABLE_HINT,
        cause: error,
      },
    );
  }
  if (name === 'AbortError') return new CliError('stopped', { exitCode: EXIT.interrupted, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(name === 'MyPostShareError' ? message : `unexpected failure: ${message}`, {
    exitCode: EXIT.failure,
    cause: error,
  });
}
