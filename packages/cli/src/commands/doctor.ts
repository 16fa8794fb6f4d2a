import type { App, MyPostShareAdmin } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, paint } from '../output.js';
import { getHealth } from './status.js';

/** One finding. `skip`: it could not be checked because an earlier check failed. */
export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

/** What `mypostshare doctor` prints. */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
  /** The fixed callback URL to register in each provider's console (a live app's, when known). */
  callbackUrls: { platform: string; url: string; mode: string }[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const statusOf = (error: unknown) => (error as { status?: unknown }).status;

async function checkApp(ctx: Context, admin: MyPostShareAdmin, checks: Check[]): Promise<App | undefined> {
  const settings = await ctx.settings();
  if (!settings.app) {
    checks.push({
      name: 'app',
      status: 'warn',
      detail: 'no app selected: `mypostshare apps use <id>` or --app (app checks skipped)',
    });
    return undefined;
  }
  try {
    const app = await admin.apps.retrieve(settings.app.value);
    checks.push({
      name: 'app',
      status: 'ok',
      detail: `${app.name} (${app.id}), ${app.sandbox ? 'sandbox: simulated providers' : 'live'}`,
    });
    return app;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    checks.push({
      name: 'app',
      status: 'fail',
      detail: `app ${settings.app.value} (from ${settings.app.source}) does not exist on this server`,
    });
    return undefined;
  }
}

async function diagnose(ctx: Context): Promise<DoctorReport> {
  const settings = await ctx.settings();
  const checks: Check[] = [];
  const callbackUrls: DoctorReport['callbackUrls'] = [];
  const report = () => ({ ok: !checks.some((check) => check.status === 'fail'), checks, callbackUrls });

  checks.push({
    name: 'configuration',
    status: settings.profileApplies ? 'ok' : 'warn',
    detail: settings.profileApplies
      ? `profile "${settings.profileName}" in ${settings.configFile}`
      : settings.profile
        ? `profile "${settings.profileName}" is for ${settings.profile.server}: its credentials are not used with ${settings.server}`
        : `no saved profile (run \`mypostshare login\`); using flags and environment variables`,
  });

  try {
    const health = await getHealth(settings.server);
    checks.push({
      name: 'server',
      status: 'ok',
      detail: `${settings.server} (from ${settings.serverSource}) answers, version ${health.version}`,
    });
    checks.push({
      name: 'ready',
      status: health.ready ? 'ok' : 'fail',
      detail: health.ready ? 'database and worker ok' : `not ready: ${health.failing.join(', ')}`,
    });
  } catch (error) {
    checks.push({ name: 'server', status: 'fail', detail: (error as Error).message });
    return report();
  }

  let admin: MyPostShareAdmin | undefined;
  if (!settings.adminToken) {
    checks.push({ name: 'admin token', status: 'warn', detail: 'not set: operator commands will not work' });
  } else {
    const candidate = await ctx.admin();
    try {
      await candidate.apps.list({ limit: 1 });
      admin = candidate;
      checks.push({
        name: 'admin token',
        status: 'ok',
        detail: `accepted (from ${settings.adminToken.source})`,
      });
    } catch (error) {
      if (statusOf(error) !== 401 && statusOf(error) !== 403) throw error;
      checks.push({
        name: 'admin token',
        status: 'fail',
        detail: `refused (from ${settings.adminToken.source})`,
      });
    }
  }

  const app = admin ? await checkApp(ctx, admin, checks) : undefined;

  if (!settings.apiKey) {
    checks.push({
      name: 'API key',
      status: 'warn',
      detail: 'not set: users, connect, post and posts need one (`mypostshare keys create --save`)',
    });
  } else {
    const client = await ctx.client();
    const test = settings.apiKey.value.startsWith('mps_test_');
    try {
      await client.platforms.list();
      const mismatch = app !== undefined && app.sandbox !== test;
      checks.push({
        name: 'API key',
        status: mismatch ? 'warn' : 'ok',
        detail: mismatch
          ? `a ${test ? 'test' : 'live'} key, but app ${app.name} is ${app.sandbox ? 'a sandbox' : 'live'}: the key belongs to another app`
          : `accepted, a ${test ? 'test (sandbox)' : 'live'} key (from ${settings.apiKey.source})`,
      });
    } catch (error) {
      if (statusOf(error) !== 401 && statusOf(error) !== 403) throw error;
      checks.push({ name: 'API key', status: 'fail', detail: `refused (from ${settings.apiKey.source})` });
    }
  }

  if (!admin || !app) return report();

  const redirects = (await admin.redirectUris.list(app.id, { limit: 200 })).data;
  checks.push({
    name: 'redirect URIs',
    status: redirects.length > 0 ? 'ok' : 'warn',
    detail:
      redirects.length > 0
        ? `${redirects.length} allowlisted: ${redirects.map((entry) => entry.uri).join(', ')}`
        : 'none: only the server’s own /connect/complete is allowed (`mypostshare redirects add <uri>`)',
  });

  const credentials = await admin.credentials.list(app.id);
  const publicOrigin = credentials[0] ? new URL(credentials[0].callbackUrl).origin : undefined;
  if (publicOrigin) {
    const url = new URL(publicOrigin);
    const insecure = url.protocol === 'http:' && !LOOPBACK.has(url.hostname);
    checks.push({
      name: 'public URL',
      status: insecure && !app.sandbox ? 'warn' : 'ok',
      detail:
        (insecure && !app.sandbox
          ? `${publicOrigin}: providers require https callback URLs outside localhost`
          : publicOrigin) +
        (publicOrigin !== settings.server ? ` (the CLI talks to ${settings.server})` : ''),
    });
  }
  for (const setting of credentials) {
    if (app.sandbox) {
      checks.push({
        name: `${setting.platform}`,
        status: 'ok',
        detail: 'sandbox: simulated provider, no credentials needed',
      });
      continue;
    }
    callbackUrls.push({ platform: setting.platform, url: setting.callbackUrl, mode: setting.mode });
    checks.push({
      name: setting.platform,
      status: 'ok',
      detail:
        setting.mode === 'custom'
          ? `custom client ${setting.clientId}; register ${setting.callbackUrl}`
          : `managed: the server's MYPOSTSHARE_${setting.platform.toUpperCase()}_CLIENT_ID/_SECRET; register ${setting.callbackUrl}`,
    });
  }
  return report();
}

function render(report: DoctorReport): string {
  const style = paint(process.stdout);
  const mark = {
    ok: style.green('ok  '),
    warn: style.yellow('warn'),
    fail: style.red('FAIL'),
    skip: style.dim('skip'),
  };
  const lines = report.checks.map(
    (check) => `${mark[check.status]}  ${check.name.padEnd(14)} ${check.detail}`,
  );
  if (report.callbackUrls.length > 0) {
    lines.push(
      '',
      'Callback URLs to register in each provider’s developer console:',
      columns(
        report.callbackUrls,
        [
          ['PLATFORM', (entry) => entry.platform],
          ['MODE', (entry) => entry.mode],
          ['CALLBACK URL', (entry) => entry.url],
        ],
        '',
      ),
    );
  }
  return lines.join('\n');
}

/**
 * `mypostshare doctor`: configuration, reachability, credentials and callback URLs in one report.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function defineDoctor(command: Command): void {
  command.action(
    action(async (ctx) => {
      const report = await diagnose(ctx);
      ctx.print(report, render);
      const failed = report.checks.filter((check) => check.status === 'fail');
      if (failed.length > 0) {
        throw new CliError(
          `doctor found ${failed.length} problem${failed.length === 1 ? '' : 's'}: ${failed.map((check) => check.name).join(', ')}`,
          { exitCode: EXIT.failure },
        );
      }
    }),
  );
}
