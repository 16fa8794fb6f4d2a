import type { MyPostShare } from '@mypostshare/sdk';
import type { MyPostShareAdmin } from '@mypostshare/sdk/admin';
import type { Command } from 'commander';
import {
  type ConfigFile,
  configPath,
  DEFAULT_SERVER_URL,
  normalizeServerUrl,
  type Profile,
  readConfig,
  writeConfig,
} from './config.js';
import { CliError, type ErrorContext, toCliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { printResult } from './output.js';
import { type Spinner, startSpinner } from './spinner.js';

/** Options every command accepts, before or after its name. */
export interface GlobalOptions {
  server?: string | undefined;
  profile?: string | undefined;
  app?: string | undefined;
  json?: boolean | undefined;
  /** False with `--no-interactive`. */
  interactive?: boolean | undefined;
}

/** A credential or setting, and where it came from (for messages). */
export interface Sourced {
  value: string;
  source: string;
}

/** Everything a command needs to reach the server, resolved from flags, environment and profile. */
export interface Settings {
  configFile: string;
  config: ConfigFile;
  /** The selected profile's name, whether or not it exists yet. */
  profileName: string;
  /** The selected profile, when it exists. */
  profile: Profile | undefined;
  /**
   * Whether the profile's credentials apply: only when the server in use is the profile's own, so
   * `--server` never sends a saved token to another host.
   */
  profileApplies: boolean;
  server: string;
  serverSource: string;
  adminToken: Sourced | undefined;
  apiKey: Sourced | undefined;
  app: Sourced | undefined;
}

/** Per-attempt timeout of the CLI's API calls; the SDK retries what is safe to retry. */
const REQUEST_TIMEOUT_MS = 30_000;

const LIST_COMMANDS: Record<string, string> = {
  apps: 'mypostshare apps list',
  keys: 'mypostshare keys list',
  redirects: 'mypostshare redirects list',
  users: 'mypostshare users list',
  connect: 'mypostshare users list',
  post: 'mypostshare users list',
  posts: 'mypostshare posts list',
  webhooks: 'mypostshare webhooks list',
  profiles: 'mypostshare profiles list',
};

function isCI(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

const fromEnv = (env: NodeJS.ProcessEnv, name: string): Sourced | undefined => {
  const value = env[name]?.trim();
  return value ? { value, source: name } : undefined;
};

/**
 * One command invocation: its options, how to print, whether prompts are allowed, and lazily built
 * API clients (the SDK is imported on first use, so `--help` never loads it).
 */
export class Context {
  readonly command: Command;
  readonly env: NodeJS.ProcessEnv;
  /** `--json`: stdout carries the result as JSON and nothing else. */
  readonly json: boolean;
  /** Prompts allowed: stdin and stderr are terminals, no `--no-interactive`, not CI. */
  readonly interactive: boolean;
  /** Spinners and hints on stderr: a terminal, no `--json`, not CI. */
  readonly decorate: boolean;
  #settings: Promise<Settings> | undefined;
  #resolved: Settings | undefined;
  #credential: ErrorContext['credential'];
  #credentialSource: string | undefined;

  constructor(command: Command, env: NodeJS.ProcessEnv = process.env) {
    this.command = command;
    this.env = env;
    const options = command.optsWithGlobals<GlobalOptions>();
    this.json = options.json === true;
    const ci = isCI(env);
    this.interactive =
      options.interactive !== false && !ci && process.stdin.isTTY === true && process.stderr.isTTY === true;
    this.decorate = !this.json && !ci && process.stderr.isTTY === true;
  }

  /** The command's own options merged with the global ones. */
  opts<T extends object>(): T & GlobalOptions {
    return this.command.optsWithGlobals<T & GlobalOptions>();
  }

  /** Resolves the server, profile and credentials once: flags, then environment, then profile. */
  settings(): Promise<Settings> {
    this.#settings ??= this.#resolve().then((settings) => {
      this.#resolved = settings;
      return settings;
    });
    return this.#settings;
  }

  async #resolve(): Promise<Settings> {
    const options = this.opts();
    const configFile = configPath(this.env);
    const config = await readConfig(configFile);
    const namedProfile = options.profile ?? (this.env.MYPOSTSHARE_PROFILE?.trim() || undefined);
    const profileName = namedProfile ?? config.currentProfile ?? 'default';
    const profile = config.profiles[profileName];
    if (namedProfile !== undefined && !profile && this.command.name() !== 'login') {
      throw new CliError(`there is no profile "${profileName}" in ${configFile}`, {
        exitCode: EXIT.usage,
        hint: `create it with \`mypostshare login --profile ${profileName}\`; \`mypostshare profiles list\` lists the others`,
      });
    }
    const envServer = this.env.MYPOSTSHARE_SERVER_URL?.trim() || undefined;
    let server: string;
    let serverSource: string;
    if (options.server !== undefined) {
      server = normalizeServerUrl(options.server, '--server');
      serverSource = '--server';
    } else if (envServer !== undefined) {
      server = normalizeServerUrl(envServer, 'MYPOSTSHARE_SERVER_URL');
      serverSource = 'MYPOSTSHARE_SERVER_URL';
    } else if (profile) {
      server = profile.server;
      serverSource = `profile "${profileName}"`;
    } else {
      server = DEFAULT_SERVER_URL;
      serverSource = 'default';
    }
    const profileApplies = profile !== undefined && profile.server === server;
    const fromProfile = (value: string | undefined): Sourced | undefined =>
      profileApplies && value ? { value, source: `profile "${profileName}"` } : undefined;
    return {
      configFile,
      config,
      profileName,
      profile,
      profileApplies,
      server,
      serverSource,
      adminToken: fromEnv(this.env, 'MYPOSTSHARE_ADMIN_TOKEN') ?? fromProfile(profile?.adminToken),
      apiKey: fromEnv(this.env, 'MYPOSTSHARE_API_KEY') ?? fromProfile(profile?.apiKey),
      app:
        (options.app !== undefined ? { value: options.app, source: '--app' } : undefined) ??
        fromEnv(this.env, 'MYPOSTSHARE_APP_ID') ??
        fromProfile(profile?.app),
    };
  }

  #missing(what: 'admin token' | 'API key', settings: Settings, fix: string): CliError {
    const elsewhere =
      settings.profile && !settings.profileApplies
        ? ` (profile "${settings.profileName}" is for ${settings.profile.server})`
        : '';
    return new CliError(`no ${what} for ${settings.server}${elsewhere}`, { exitCode: EXIT.auth, hint: fix });
  }

  /** The admin API client; fails with the auth exit code when there is no admin token. */
  async admin(): Promise<MyPostShareAdmin> {
    const settings = await this.settings();
    if (!settings.adminToken) {
      throw this.#missing(
        'admin token',
        settings,
        'run `mypostshare login` (or set MYPOSTSHARE_ADMIN_TOKEN); the server prints its admin token on first start',
      );
    }
    const { MyPostShareAdmin } = await import('@mypostshare/sdk/admin');
    this.#credential = 'admin';
    this.#credentialSource = settings.adminToken.source;
    return new MyPostShareAdmin({
      adminToken: settings.adminToken.value,
      serverUrl: settings.server,
      timeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** The public API client (an app's API key); fails with the auth exit code when there is no key. */
  async client(): Promise<MyPostShare> {
    const settings = await this.settings();
    if (!settings.apiKey) {
      throw this.#missing(
        'API key',
        settings,
        'create one with `mypostshare keys create --save` (or set MYPOSTSHARE_API_KEY)',
      );
    }
    const { MyPostShare } = await import('@mypostshare/sdk');
    this.#credential = 'apiKey';
    this.#credentialSource = settings.apiKey.source;
    return new MyPostShare({
      apiKey: settings.apiKey.value,
      baseUrl: `${settings.server}/api`,
      timeout: REQUEST_TIMEOUT_MS,
    });
  }

  /**
   * The app the admin commands act on: `--app`, `MYPOSTSHARE_APP_ID`, the profile's app, or (at a
   * terminal) one picked from the list.
   */
  async appId(): Promise<string> {
    const settings = await this.settings();
    if (settings.app) return settings.app.value;
    if (this.interactive && settings.adminToken) {
      const admin = await this.admin();
      const apps = (await admin.apps.list({ limit: 100 })).data;
      if (apps.length > 0) {
        const { askSelect } = await import('./prompts.js');
        return askSelect(
          'Which app?',
          apps.map((app) => ({
            value: app.id,
            name: `${app.name} (${app.id}${app.sandbox ? ', sandbox' : ''})`,
          })),
        );
      }
    }
    throw new CliError('no app selected', {
      exitCode: EXIT.usage,
      hint: 'pass --app <id>, or choose one with `mypostshare apps use <id>` (`mypostshare apps list` lists them)',
    });
  }

  /**
   * Updates the selected profile (creating it for the server in use) and writes the file. Refuses
   * to put credentials for one server into a profile saved for another.
   */
  async saveProfile(
    update: (profile: Profile) => Profile,
    options: { makeCurrent?: boolean } = {},
  ): Promise<string> {
    const settings = await this.settings();
    const config = await readConfig(settings.configFile);
    const name = settings.profileName;
    const existing = config.profiles[name];
    if (existing && existing.server !== settings.server) {
      throw new CliError(`profile "${name}" is for ${existing.server}, not ${settings.server}`, {
        exitCode: EXIT.usage,
        hint: `pass --profile <new name> to save a profile for ${settings.server}`,
      });
    }
    config.profiles[name] = update(existing ?? { server: settings.server });
    if (options.makeCurrent || !config.currentProfile) config.currentProfile = name;
    await writeConfig(settings.configFile, config);
    return name;
  }

  /**
   * Makes sure a destructive step is wanted: `--yes`, or a "yes" at a prompt (default no). Without
   * a terminal and without `--yes`, refuses as a usage error rather than deleting unasked.
   */
  async confirm(question: string, yes: boolean | undefined): Promise<void> {
    if (yes) return;
    if (!this.interactive) {
      throw new CliError(`${question.replace(/\?$/, '')}: not confirmed`, {
        exitCode: EXIT.usage,
        hint: 'pass --yes to confirm without a prompt',
      });
    }
    const { askConfirm } = await import('./prompts.js');
    if (!(await askConfirm(question, false))) {
      throw new CliError('nothing was changed', { exitCode: EXIT.failure });
    }
  }

  /** Prints the command's result on stdout (JSON under `--json`). */
  print<T>(data: T, human: (data: T) => string): void {
    printResult(data, { json: this.json }, human);
  }

  /** A hint for people on stderr; silent under `--json`, without a terminal, or in CI. */
  hint(text: string): void {
    if (this.decorate) process.stderr.write(`${text}\n`);
  }

  /** A message the user must see (what to open, what was skipped), on stderr whatever the mode. */
  notice(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** A spinner on stderr, where spinners are on. */
  spinner(text: string): Spinner {
    return startSpinner(text, this.decorate);
  }

  /** What an error message needs to know about this invocation. */
  errorContext(error?: unknown): ErrorContext {
    let top: Command = this.command;
    while (top.parent?.parent) top = top.parent;
    const apps = error instanceof Error && /\bapp\b/i.test(error.message);
    return {
      server: this.#resolved?.server ?? this.opts().server ?? DEFAULT_SERVER_URL,
      credential: this.#credential,
      credentialSource: this.#credentialSource,
      listCommand: apps ? LIST_COMMANDS.apps : LIST_COMMANDS[top.name()],
    };
  }
}

/**
 * Wraps a command's handler: builds its `Context`, hands it the positional arguments, and turns
 * whatever it throws into a `CliError` with an exit code and a hint.
 */
export function action<A extends unknown[]>(
  handler: (ctx: Context, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // Commander passes the positionals, then the options object, then the command.
    const command = args.at(-1) as Command;
    const ctx = new Context(command);
    try {
      await handler(ctx, ...(args.slice(0, -2) as A));
    } catch (error) {
      throw toCliError(error, ctx.errorContext(error));
    }
  };
}
