import type { Command } from 'commander';

// Every top-level command, in the order `mypostshare --help` lists them. Listing a command takes
// its name, description and signature only, so those live here; the module that defines the rest
// (arguments, options, subcommands, action) is imported only when a command is run or its own help
// is asked for. `mypostshare --help` thus loads none of them (start-up time: bench/cli-startup.mjs).
//
// Adding a command: write commands/<name>.ts exporting `define<Name>(command)`, then add its row
// here. test/structure.test.ts fails until the row matches what the module defines.

/** One top-level command, as `mypostshare --help` lists it. */
export interface CommandEntry {
  /** The word that runs it: `mypostshare <name>`. */
  name: string;
  /** Other words that run it. */
  aliases?: readonly string[];
  /** One line, for `mypostshare --help` and the command's own help. */
  description: string;
  /**
   * What `mypostshare --help` shows after the name: `[options]` when the command has options of
   * its own, then its arguments. Must match the module (the structure test checks it).
   */
  signature?: string;
  /** Imports the command's module; resolves with the function that completes the command. */
  load(): Promise<(command: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'login',
    description:
      'save a server and its admin token and/or API key to a profile (checked first); prompts at a terminal',
    signature: '[options]',
    load: async () => (await import('./commands/login.js')).defineLogin,
  },
  {
    name: 'profiles',
    description: 'saved servers and credentials ($XDG_CONFIG_HOME/mypostshare/config.json)',
    load: async () => (await import('./commands/profiles.js')).defineProfiles,
  },
  {
    name: 'status',
    description:
      'show whether the server is up and ready, its version, and whether your token and key are accepted',
    load: async () => (await import('./commands/status.js')).defineStatus,
  },
  {
    name: 'doctor',
    description:
      'check the configuration, the server, the credentials, and list the callback URLs to register',
    load: async () => (await import('./commands/doctor.js')).defineDoctor,
  },
  {
    name: 'apps',
    description: 'create, list, inspect and delete apps (admin token)',
    load: async () => (await import('./commands/apps.js')).defineApps,
  },
  {
    name: 'keys',
    description: "issue, list and revoke an app's API keys (admin token)",
    load: async () => (await import('./commands/keys.js')).defineKeys,
  },
  {
    name: 'redirects',
    description: "manage the app's allowlisted redirect URIs for connect sessions (admin token)",
    load: async () => (await import('./commands/redirects.js')).defineRedirects,
  },
  {
    name: 'credentials',
    description: "per platform, use the app's own OAuth client or the operator's managed one (admin token)",
    load: async () => (await import('./commands/credentials.js')).defineCredentials,
  },
  {
    name: 'users',
    description: 'end users and their linked accounts (API key; `list` needs the admin token)',
    load: async () => (await import('./commands/users.js')).defineUsers,
  },
  {
    name: 'connect',
    description: 'link an end user’s social account through the hosted OAuth flow, and wait for it',
    signature: '[options] <externalUserId> [platform]',
    load: async () => (await import('./commands/connect.js')).defineConnect,
  },
  {
    name: 'post',
    description: 'publish a test post now, or schedule it with --at',
    signature: '[options] <externalUserId> [content]',
    load: async () => (await import('./commands/post.js')).definePost,
  },
  {
    name: 'posts',
    description: 'list, inspect, cancel, edit and retry posts (API key)',
    load: async () => (await import('./commands/posts.js')).definePosts,
  },
  {
    name: 'platforms',
    description: "each platform's text limit, media rules and options (API key)",
    load: async () => (await import('./commands/platforms.js')).definePlatforms,
  },
  {
    name: 'logs',
    description: "the app's request log, newest first; --follow keeps printing new requests (admin token)",
    signature: '[options]',
    load: async () => (await import('./commands/logs.js')).defineLogs,
  },
  {
    name: 'webhooks',
    description:
      'webhook endpoints, their deliveries, and `listen` to print events locally (API key, or admin token + app)',
    load: async () => (await import('./commands/webhooks.js')).defineWebhooks,
  },
];
