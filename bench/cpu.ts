import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time, to say where a wall-time ratio comes from: the bench process (worker, client and upstream, the
 * same work on both sides apart from the worker's) and the dev server. On a machine with few cores every
 * millisecond of CPU either side spends shows up in the other's latency, so CPU per run is the steadier figure.
 */

// Linux counts process CPU in clock ticks of 10 ms (USER_HZ = 100).
const msPerTick = 10;

/** The CPU (user + system) `pid` and every process under it have used so far, in ms; 0 where /proc is missing. */
export function processTreeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name: state is 0, utime 11, stime 12 (proc(5) numbers them 3, 14, 15).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    let ms = (Number(fields[11]) + Number(fields[12])) * msPerTick;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) ms += processTreeCpuMs(Number(child));
    }
    return ms;
  } catch {
    // Not Linux, or the process ended between two reads.
    return 0;
  }
}

/** This process's CPU so far, in ms (all its threads: the worker's workflow threads too). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU a side used over the runs it was charged for. */
export interface CpuUse {
  benchMs: number;
  serverMs: number;
}

/** Measures the CPU `work` uses, in this process and in the server's process tree. */
export async function withCpu<T>(serverPid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpu: CpuUse }> {
  const [own, server] = [ownCpuMs(), processTreeCpuMs(serverPid)];
  const result = await work();
  return { result, cpu: { benchMs: ownCpuMs() - own, serverMs: processTreeCpuMs(serverPid) - server } };
}
