import { Cron } from 'croner';
import type { AppDeps } from '../app.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { webhookRuntime } from '../webhooks/runtime.js';
import { runHousekeeping } from './housekeeping.js';
import { Scheduler } from './scheduler.js';

export interface WorkerHandle {
  /** When the last tick finished, for /readyz. */
  lastTickAt(): Date | undefined;
  scheduler: Scheduler;
  webhooks: WebhookDispatcher;
  /** Stops ticking, then gives running deliveries `graceMs` to finish (the rest are recovered later). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The background worker of a process whose role includes it: croner ticks calling pure passes.
 * The scheduler ticks every second (and again whenever a slot frees up while work is due); the
 * housekeeping pass every 30 s; the webhook dispatcher every second (and at once when an event is
 * stored in this process). `protect` stops a slow pass from overlapping the next one.
 */
export function startWorker(
  deps: AppDeps,
  patterns: { scheduler?: string; housekeeping?: string; webhooks?: string } = {},
): WorkerHandle {
  const scheduler = new Scheduler(deps);
  const webhooks = new WebhookDispatcher(deps, { wakeOnEvents: true });
  const logFailure = (what: string) => (error: Error) =>
    deps.logger.error({ err: error.message }, `${what} failed`);
  let housekeeping: Promise<unknown> = Promise.resolve();
  const housekeepingJob = new Cron(patterns.housekeeping ?? '*/30 * * * * *', { protect: true }, async () => {
    housekeeping = runHousekeeping(deps)
      .then(() => {
        deps.worker.lastTickAt = deps.clock.now();
      })
      .catch(logFailure('housekeeping pass'));
    await housekeeping;
  });
  const schedulerJob = new Cron(patterns.scheduler ?? '* * * * * *', { protect: true }, async () => {
    await scheduler.runOnce().catch(logFailure('scheduler pass'));
  });
  const webhooksJob = new Cron(patterns.webhooks ?? '* * * * * *', { protect: true }, async () => {
    await webhooks.runOnce().catch(logFailure('webhook dispatch pass'));
  });
  // Missed schedules (the server was down) are due now: run them without waiting for the first tick.
  void scheduler.runOnce().catch(logFailure('scheduler pass'));
  void webhooks.runOnce().catch(logFailure('webhook dispatch pass'));
  return {
    lastTickAt: () => deps.worker.lastTickAt,
    scheduler,
    webhooks,
    async stop(graceMs = 10_000) {
      schedulerJob.stop();
      housekeepingJob.stop();
      webhooksJob.stop();
      scheduler.stop();
      webhooks.stop();
      await housekeeping;
      // A claim still in flight must finish before the database closes.
      await scheduler.passesSettled();
      // Webhook attempts in flight finish within their 15 s timeout; any still running when the
      // grace ends keep their lease, which lapses, and are sent again (same webhook-id) later.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.all([deps.publishing.shutdown(graceMs), Promise.race([webhooks.idle(), grace])]);
      await webhookRuntime(deps.db).close();
    },
  };
}
