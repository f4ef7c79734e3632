import { readFileSync } from 'node:fs';

/** CPU time and run-queue wait of this process's main thread so far, in seconds; undefined off Linux. */
export interface ThreadTimes {
  onCpu: number;
  waiting: number;
}

/**
 * Reads `/proc/self/task/<pid>/schedstat`: time on a core and time runnable but waiting for one. The wait is
 * what other processes on the machine cost the event loop: a latency the bridge cannot help.
 */
export function mainThreadTimes(): ThreadTimes | undefined {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return onCpu === undefined || waiting === undefined ? undefined : { onCpu: onCpu / 1e9, waiting: waiting / 1e9 };
  } catch {
    return undefined;
  }
}
