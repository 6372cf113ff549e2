/** Time comes from here, never from Date.now() in use cases, so the dev clock can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
