import dns from 'node:dns';
import type { Agent } from 'undici';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/database.js';
import { guardedAgent } from '../net/private-network.js';

/** A receiver gets this long to answer (connect, headers and body together). */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * This process's webhook state for one database: the HTTP agent (with the SSRF guard), the resolver
 * behind it and behind registration checks, and how many attempts run per endpoint. Kept here, keyed by the database handle, rather
 * than on AppDeps, so the routes, the emitters and the worker share it without a new dependency.
 */
export class WebhookRuntime {
  /** The DNS resolver behind every check (tests pass a stub). */
  resolve: typeof dns.lookup = dns.lookup;
  /** Attempts in flight per endpoint, in this process (dispatcher and manual ones alike). */
  readonly inflight = new Map<string, number>();
  private readonly agents = new Map<boolean, Agent>();
  private inflightTotal = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  /** The agent deliveries go through; without `allowPrivateNetwork` its lookups refuse private addresses. */
  agent(allowPrivateNetwork: boolean): Agent {
    let agent = this.agents.get(allowPrivateNetwork);
    if (!agent) {
      agent = guardedAgent({
        allowPrivateNetwork,
        connectTimeoutMs: WEBHOOK_TIMEOUT_MS,
        headersTimeoutMs: WEBHOOK_TIMEOUT_MS,
        bodyTimeoutMs: WEBHOOK_TIMEOUT_MS,
        resolve: this.resolve,
      });
      this.agents.set(allowPrivateNetwork, agent);
    }
    return agent;
  }

  /**
   * Counts an attempt of this process as in flight, and keeps the leases of this process's
   * attempts alive meanwhile (the publishing lease, renewed a few times per period), so a short
   * lease recovers a dead worker's deliveries quickly without a live one losing its own.
   */
  started(deps: LeaseDeps, endpointId: string): void {
    this.inflight.set(endpointId, (this.inflight.get(endpointId) ?? 0) + 1);
    this.inflightTotal += 1;
    if (this.heartbeat) return;
    const { leaseMs } = deps.config.publishing;
    this.heartbeat = setInterval(
      () => {
        const now = deps.clock.now();
        deps.db
          .updateTable('webhook_deliveries')
          .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
          .where('lease_owner', '=', deps.publishing.owner)
          .where('status', '=', 'delivering')
          .execute()
          .catch((error: Error) =>
            deps.logger.warn({ err: error.message }, 'webhook lease heartbeat failed'),
          );
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  settled(endpointId: string): void {
    const left = (this.inflight.get(endpointId) ?? 1) - 1;
    if (left <= 0) this.inflight.delete(endpointId);
    else this.inflight.set(endpointId, left);
    this.inflightTotal = Math.max(0, this.inflightTotal - 1);
    if (this.inflightTotal === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** Closes the agents (their keep-alive sockets); a later delivery opens new ones. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close().catch(() => undefined)));
  }
}

type LeaseDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'publishing' | 'logger'>;

const runtimes = new WeakMap<Db, WebhookRuntime>();

/** The webhook runtime of this database handle, created on first use. */
export function webhookRuntime(db: Db): WebhookRuntime {
  let runtime = runtimes.get(db);
  if (!runtime) {
    runtime = new WebhookRuntime();
    runtimes.set(db, runtime);
  }
  return runtime;
}

/**
 * Replaces the resolver used for webhook URLs (registration checks and deliveries). For tests: a
 * stub that answers a chosen address for a name.
 *
 * @example
 * configureWebhooks(deps, { resolve: stubLookup({ 'hooks.example.test': '10.0.0.7' }) });
 */
export function configureWebhooks(deps: { db: Db }, options: { resolve?: typeof dns.lookup }): void {
  const runtime = webhookRuntime(deps.db);
  if (options.resolve) {
    runtime.resolve = options.resolve;
    // Agents bake the resolver in: build new ones on next use.
    void runtime.close();
  }
}

const wakers = new Set<() => void>();

/** Registers a dispatcher to be woken when an event is stored; returns the unregistering function. */
export function onWebhookEventStored(wake: () => void): () => void {
  wakers.add(wake);
  return () => wakers.delete(wake);
}

/**
 * Wakes the dispatchers running in this process so a new event goes out without waiting for the
 * next tick. Emitters call it inside their transaction: the dispatcher's claim runs later and, on
 * SQLite, queues behind that transaction; elsewhere the next tick picks the event up anyway.
 */
export function wakeWebhookDispatchers(): void {
  for (const wake of wakers) wake();
}
