/** The time source, injected so tests and the scheduler can move time without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const nowIso = (clock: Clock) => clock.now().toISOString();
