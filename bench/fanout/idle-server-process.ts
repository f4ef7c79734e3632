import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../src/config.js';
import type { IdleServerCommand, IdleServerReport } from './idle-server.js';

const serverPath = fileURLToPath(new URL('./idle-server.ts', import.meta.url));

/** The idle-connection server as a child process, spoken to over IPC. */
export class IdleServerProcess {
  private readonly inbox: IdleServerReport[] = [];
  private readonly waiters = new Set<() => void>();
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: IdleServerReport) => {
      this.inbox.push(message);
      this.waiters.forEach((w) => w());
    });
    child.on('exit', (code, signal) => {
      this.exited = `exited with ${signal ?? code}`;
      this.waiters.forEach((w) => w());
    });
  }

  /**
   * Spawns the server with as many descriptors as the hard limit allows (each connection holds one) and with
   * `--expose-gc`, so it weighs itself after full collections.
   */
  static start(temporalAddress: string, namespace: string): IdleServerProcess {
    const script = `ulimit -n "$(ulimit -Hn)"; exec "${process.execPath}" --expose-gc --import tsx "$@"`;
    const child = spawn('bash', ['-c', script, 'idle-server', serverPath, temporalAddress, namespace], {
      cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new IdleServerProcess(child);
  }

  send(command: IdleServerCommand): void {
    this.child.send(command);
  }

  /** The next report of `type`, waiting at most `timeoutMs`. */
  async next<T extends IdleServerReport['type']>(type: T, timeoutMs = 60_000): Promise<Extract<IdleServerReport, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<IdleServerReport, { type: T }>;
      if (this.exited) throw new Error(`the idle server ${this.exited} before reporting "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the idle server did not report "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Asks the server to stop, and kills it if it has not exited within 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
