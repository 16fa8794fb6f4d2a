import type { ConnectSession, CreatedConnectSession } from '@mypostshare/sdk';
import type { Command } from 'commander';
import { openInBrowser } from '../browser.js';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { paint, table } from '../output.js';
import { parseDuration } from '../time.js';
import { platformOrPrompt } from './common.js';

interface ConnectFlags {
  redirectUri?: string;
  open?: boolean;
  wait?: boolean;
  timeout?: string;
}

const DEFAULT_TIMEOUT = '30m';

const sessionTable = (session: ConnectSession | CreatedConnectSession) =>
  table([
    ['session', session.id],
    ['platform', session.platform],
    ['status', session.status],
    ...('connectUrl' in session ? ([['connect URL', session.connectUrl]] as const) : []),
    ...('externalUserId' in session ? ([['user', session.externalUserId]] as const) : []),
    ...('errorCode' in session && session.errorCode ? ([['error', session.errorCode]] as const) : []),
  ]);

/** Waits for the end user to finish the hosted flow; Ctrl-C stops waiting (the session stays open). */
async function waitForSession(ctx: Context, id: string, timeoutMs: number): Promise<ConnectSession> {
  const client = await ctx.client();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const spinner = ctx.spinner('Waiting for the account to be connected (Ctrl-C to stop waiting)');
  try {
    return await client.connectSessions.waitForCompletion(id, {
      timeout: timeoutMs,
      pollInterval: 1_000,
      maxPollInterval: 2_000,
      signal: stop.signal,
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'AbortError') {
      throw new CliError(`stopped waiting; session ${id} stays open until it expires`, {
        exitCode: EXIT.interrupted,
      });
    }
    if (name === 'TimeoutError') {
      throw new CliError(`session ${id} was still pending after ${timeoutMs / 60_000} min`, {
        exitCode: EXIT.failure,
        hint: 'run `mypostshare connect` again to start a new session',
      });
    }
    throw error;
  } finally {
    spinner.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `mypostshare connect <user> <platform>`: starts a hosted connect session, prints its URL (opens
 * it with --open) and waits until the end user connected or the flow failed.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineConnect(command: Command): void {
  command
    .argument('<externalUserId>', 'the end user (create them with `users upsert`)')
    .argument('[platform]', 'linkedin, facebook, instagram, twitter or youtube (asked for at a terminal)')
    .option(
      '--redirect-uri <uri>',
      "where the browser lands afterwards (must be allowlisted; default: the server's /connect/complete page)",
    )
    .option('--open', 'open the connect URL in the browser ($BROWSER, else the system default)')
    .option('--no-wait', 'print the session and exit instead of waiting for the outcome')
    .option('--timeout <duration>', `how long to wait (default ${DEFAULT_TIMEOUT})`)
    .action(
      action(async (ctx, externalUserId: string, platformArgument: string | undefined) => {
        const flags = ctx.opts<ConnectFlags>();
        const timeoutMs = parseDuration('--timeout', flags.timeout ?? DEFAULT_TIMEOUT);
        const platform = await platformOrPrompt(ctx, platformArgument);
        const settings = await ctx.settings();
        const client = await ctx.client();
        const redirectUri = flags.redirectUri ?? `${settings.server}/connect/complete`;
        let session: CreatedConnectSession;
        try {
          session = await client.connectSessions.create({ externalUserId, platform, redirectUri });
        } catch (error) {
          const { status, code } = error as { status?: number; code?: string };
          if (status === 404) {
            throw new CliError(`there is no end user "${externalUserId}" in this app`, {
              exitCode: EXIT.notFound,
              hint: `create them first: \`mypostshare users upsert ${externalUserId}\``,
              cause: error,
            });
          }
          if (code === 'redirect_uri_not_allowed' && flags.redirectUri === undefined) {
            throw new CliError(`the server does not accept ${redirectUri} as a redirect URI`, {
              exitCode: EXIT.usage,
              hint: 'point --server at the server’s public URL (MYPOSTSHARE_PUBLIC_URL), or pass an allowlisted --redirect-uri',
              cause: error,
            });
          }
          throw error;
        }
        // The one thing the user must act on: shown whatever the output mode.
        const style = paint(process.stderr);
        ctx.notice(
          `Open this URL to connect ${platform} for ${externalUserId}:\n  ${style.cyan(session.connectUrl)}`,
        );
        if (flags.open) {
          await openInBrowser(session.connectUrl, ctx.env).catch(() =>
            ctx.notice('(could not open a browser: open the URL yourself)'),
          );
        }
        if (flags.wait === false) {
          ctx.print(session, sessionTable);
          return;
        }
        const final = await waitForSession(ctx, session.id, timeoutMs);
        ctx.print(final, sessionTable);
        if (final.status !== 'connected') {
          throw new CliError(
            `connecting ${platform} for ${externalUserId} ${final.status === 'expired' ? 'expired' : 'failed'}${final.errorCode ? ` (${final.errorCode})` : ''}`,
            { exitCode: EXIT.failure, hint: 'run `mypostshare connect` again to retry' },
          );
        }
        ctx.hint(`Next: \`mypostshare post ${externalUserId} "Hello" --platform ${platform}\`.`);
      }),
    );
}
