import { Cron } from 'croner';
import type { AppDeps } from '../app.js';
import { runHousekeeping } from './housekeeping.js';

export interface WorkerHandle {
  /** When the last tick finished, for /readyz. */
  lastTickAt(): Date | undefined;
  stop(): Promise<void>;
}

/**
 * The background worker of a process whose role includes it: a croner tick calling the pure
 * housekeeping pass. `protect` stops a slow pass from overlapping the next one.
 */
export function startWorker(deps: AppDeps, pattern = '*/30 * * * * *'): WorkerHandle {
  let lastTick: Date | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const job = new Cron(pattern, { protect: true }, async () => {
    running = runHousekeeping(deps)
      .then(() => {
        lastTick = deps.clock.now();
        deps.worker.lastTickAt = lastTick;
      })
      .catch((error: Error) => deps.logger.error({ err: error.message }, 'housekeeping pass failed'));
    await running;
  });
  return {
    lastTickAt: () => lastTick,
    async stop() {
      job.stop();
      await running;
    },
  };
}
