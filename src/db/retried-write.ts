import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `write`, and again after each of `delaysMs` while it fails (the database may be down for a moment).
 * Resolves to its answer, or to undefined once the last try failed, after handing that error to `gaveUp`: for
 * a write whose caller must go on either way, because what it records is held elsewhere too.
 *
 * @example
 * await retriedWrite(() => recordRunSummary(db, summary), [100, 500, 1_500], (err) => console.error(err));
 */
export async function retriedWrite<T>(write: () => Promise<T>, delaysMs: readonly number[], gaveUp: (err: unknown) => void): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      const delay = delaysMs[attempt];
      if (delay === undefined) {
        gaveUp(err);
        return undefined;
      }
      await sleep(delay);
    }
  }
}
