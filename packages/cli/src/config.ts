import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** Where a local server listens by default (the server's PORT default). */
export const DEFAULT_SERVER_URL = 'http://localhost:8787';

/** The version this CLI reads and writes; a newer file is refused rather than half understood. */
export const CONFIG_VERSION = 1;

/** Valid profile names: letters, digits, `_`, `.`, `-`. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** One saved server: its origin and the credentials to use with it. */
export interface Profile {
  /** The server origin, e.g. `http://localhost:8787` (no `/api`). */
  server: string;
  adminToken?: string | undefined;
  apiKey?: string | undefined;
  /** The app the admin commands act on by default. */
  app?: string | undefined;
}

/** The profiles file, `$XDG_CONFIG_HOME/mypostshare/config.json`. */
export interface ConfigFile {
  version: typeof CONFIG_VERSION;
  currentProfile?: string | undefined;
  profiles: Record<string, Profile>;
}

/** `$XDG_CONFIG_HOME/mypostshare/config.json`, or `~/.config/...` when unset (or not absolute, per the spec). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(base, 'mypostshare', 'config.json');
}

/** Reads and validates the profiles file; a missing file is an empty configuration. */
export async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: CONFIG_VERSION, profiles: {} };
    throw new CliError(`cannot read ${file} (${(error as Error).message})`, { exitCode: EXIT.usage });
  }
  const broken = (reason: string) =>
    new CliError(`${file} is not a valid mypostshare configuration: ${reason}`, {
      exitCode: EXIT.usage,
      hint: 'fix or delete the file, then run `mypostshare login`',
    });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw broken('it is not JSON');
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > CONFIG_VERSION) {
    throw new CliError(`${file} was written by a newer mypostshare CLI (format version ${version})`, {
      exitCode: EXIT.usage,
      hint: 'upgrade the CLI: npm install -g @mypostshare/cli@latest',
    });
  }
  const { configFileSchema } = await import('./config-schema.js');
  const parsed = (await configFileSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw broken(`${where}${issue?.message ?? 'unknown problem'}`);
  }
  return parsed.data;
}

/**
 * Writes the profiles file readable by its owner only (0600; its directory 0700): it holds tokens.
 * Written to a temporary file and renamed, so a crash never leaves half a file.
 */
export async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  await fs.chmod(temporary, 0o600);
  await fs.rename(temporary, file);
}

/**
 * Checks a server origin given on the command line, in the environment or at a prompt, and returns
 * it without a trailing slash so paths can be appended.
 */
export function normalizeServerUrl(raw: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new CliError(`${source} must be an http(s) URL such as ${DEFAULT_SERVER_URL}, got "${raw}"`, {
      exitCode: EXIT.usage,
    });
  }
  if (url.pathname !== '/') {
    throw new CliError(`${source} must be the server origin, without a path, got "${raw}"`, {
      exitCode: EXIT.usage,
      hint: `e.g. ${url.origin} (the CLI adds /api and /admin itself)`,
    });
  }
  return url.origin;
}
