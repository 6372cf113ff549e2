import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrentChangeError } from '../domain/errors';

/**
 * Runs a read-modify-write again when its conditional write lost a race (ConcurrentChangeError):
 * read again, decide again, write again, a bounded number of times with jittered backoff. Still lost
 * after that: the 409 CONCURRENT_CHANGE reaches the caller. (The executor's own retries cover
 * contention on one send; this covers a version that moved between the read and the write.)
 */
export async function reread<T>(attempt: () => Promise<T>, times = 6): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ConcurrentChangeError) || n >= times) throw e;
      await sleep(Math.random() * Math.min(200, 5 * 2 ** n));
    }
  }
}
