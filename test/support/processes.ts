import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/config.js';

/** A Weft process started the way `npm run start:*` starts it, with its output kept for failure messages. */
export interface WeftProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `src/main/<entry>.ts` with `env` on top of this process's environment, and resolves when its output
 * matches `ready` (returning the match too).
 */
export function startWeftProcess(entry: 'all' | 'api' | 'worker', env: Record<string, string>, ready: RegExp, timeoutMs = 60_000): Promise<WeftProcess & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, `src/main/${entry}.ts`)], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not become ready:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`${entry} exited (${code}) before it was ready:\n${output}`)));
  });
}
