import { Cron } from 'croner';
import type { AppDeps } from '../app.js';
import { runHousekeeping } from './housekeeping.js';
import { Scheduler } from './scheduler.js';

export interface WorkerHandle {
  /** When the last tick finished, for /readyz. */
  lastTickAt(): Date | undefined;
  scheduler: Scheduler;
  /** Stops ticking, then gives running deliveries `graceMs` to finish (the rest are recovered later). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The background worker of a process whose role includes it: croner ticks calling pure passes.
 * The scheduler ticks every second (and again whenever a slot frees up while work is due); the
 * housekeeping pass every 30 s. `protect` stops a slow pass from overlapping the next one.
 */
export function startWorker(
  deps: AppDeps,
  patterns: { scheduler?: string; housekeeping?: string } = {},
): WorkerHandle {
  const scheduler = new Scheduler(deps);
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
  // Missed schedules (the server was down) are due now: run them without waiting for the first tick.
  void scheduler.runOnce().catch(logFailure('scheduler pass'));
  return {
    lastTickAt: () => deps.worker.lastTickAt,
    scheduler,
    async stop(graceMs = 10_000) {
      schedulerJob.stop();
      housekeepingJob.stop();
      scheduler.stop();
      await housekeeping;
      await deps.publishing.shutdown(graceMs);
    },
  };
}
