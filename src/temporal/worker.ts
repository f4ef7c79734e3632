import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, type BundleOptions, type InjectedSinks, type WorkflowBundleOption } from '@temporalio/worker';
import { readDatesInUtc, type WeftConfig } from '../config.js';
import type { Activities } from '../activities/index.js';
import type { Db } from '../db/client.js';
import { recordRunSummary, setOpenRunStatus } from '../db/runs.js';
import type { LivePath } from '../realtime/event-bus.js';
import type { WeftSinks } from '../workflows/sinks.js';
import type { RunEvent } from '../workflows/state.js';
import { tlsOptions } from './connection.js';
import { liveEventsSink } from './live-events-sink.js';
import { runIndexSink } from './run-index-sink.js';

/** Where the interpreter's workflow code starts; the worker bundles it for the sandbox. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules every workflow of a worker shares instead of loading its own: JSONata and the template language's
 * expression evaluation. Otherwise each run evaluates JSONata's module and parses its template's expressions
 * anew. They are safe to share because their only state is what a pure function made of an expression's text
 * (see `src/template/memo.ts`); nothing in them knows which workflow calls. Every bundle built for a Weft worker
 * preloads them ({@link workflowBundleOptions}).
 */
export const sharedWorkflowModules: readonly string[] = ['jsonata', fileURLToPath(new URL('../template/expressions.ts', import.meta.url))];

/** The interpreter's workflow interceptors (`src/workflows/interceptors.ts`): they send live events as each activation ends. */
export const workflowInterceptorModules: readonly string[] = [fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url))];

/** Turns the sandbox's stack traces off when preloaded (`src/workflows/stack-trace-limit.ts`). */
const stackTraceLimitModule = fileURLToPath(new URL('../workflows/stack-trace-limit.ts', import.meta.url));

/**
 * What every bundle of Weft's workflows is built with: `bundleWorkflowCode({ workflowsPath, ...workflowBundleOptions() })`.
 * A bundle without the interceptors would run every run but never publish a live event. `stackTraces` keeps the
 * sandbox's stack traces (`WEFT_WORKFLOW_STACK_TRACES`).
 */
export function workflowBundleOptions(options: { stackTraces?: boolean } = {}): Pick<BundleOptions, 'webpackConfigHook'> & { preloadModules: string[]; workflowInterceptorModules: string[] } {
  const preloadModules = options.stackTraces ? [...sharedWorkflowModules] : [stackTraceLimitModule, ...sharedWorkflowModules];
  return { preloadModules, workflowInterceptorModules: [...workflowInterceptorModules], webpackConfigHook: compileForEs2022 };
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** The part of the SDK's webpack rule for `.ts` files that says what swc compiles to. */
interface SwcRule {
  use?: { loader?: string; options?: { jsc?: { target?: string } } };
}

/**
 * Compiles the workflow code for ES2022, the target `tsconfig.json` type-checks it for and Node runs the rest of
 * Weft as. The SDK's bundler asks swc for ES2017, where every object spread and class field becomes calls to
 * helpers that define one property at a time, and the interpreter spreads and constructs for every node. The
 * semantics are ES2022's, as everywhere else in Weft: class fields are defined before parameter properties are
 * assigned, which the type-check holds their initializers to.
 */
function compileForEs2022(config: WebpackConfig): WebpackConfig {
  for (const rule of config.module?.rules ?? []) {
    const use = rule !== null && typeof rule === 'object' ? (rule as SwcRule).use : undefined;
    if (use?.loader?.includes('swc-loader') && use.options?.jsc) use.options.jsc.target = 'es2022';
  }
  return config;
}

let runtimeInstalled = false;

/** The SDK logs each bundle build at INFO; Weft's processes keep warnings and errors only. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by the embedding process (tests install their own): keep that one.
  }
}

/** What a worker is made of. */
export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  temporal: WeftConfig['temporal'];
  activities: Activities;
  /** The run index's database: the worker's sinks write each run's close there, and an open run's status as it moves. */
  db: Db;
  /** Where live events go: the process's bus, or the PostgreSQL relay that also reaches other processes. */
  bus: LivePath;
  /** A prebuilt bundle (tests build one per run) built with {@link workflowBundleOptions}; otherwise the worker bundles `workflowsPath` itself. */
  workflowBundle?: WorkflowBundleOption;
  /** Whether the bundle the worker builds keeps the sandbox's stack traces; a prebuilt bundle was built with its own. */
  stackTraces?: boolean;
  identity?: string;
  /** How long in-flight activities may run on after shutdown is asked for, before they are cancelled. */
  shutdownGraceMs?: number;
}

/** Creates a worker that runs the interpreter and every node activity, publishing live events on `bus`. */
export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  quietRuntime();
  // Before the worker's threads start, which take the time zone as they start.
  readDatesInUtc();
  const connection = await NativeConnection.connect({ address: options.address, tls: tlsOptions(options.temporal), apiKey: options.temporal.apiKey });
  const publish = (runId: string, event: RunEvent) => options.bus.publish(runId, event);
  const sinks: InjectedSinks<WeftSinks> = {
    events: { publish: liveEventsSink(publish, ({ runId, status }) => setOpenRunStatus(options.db, runId, status)) },
    // The same write as the `recordRun` local activity, which runs started before the lean lifecycle still call.
    runIndex: { record: runIndexSink((summary) => recordRunSummary(options.db, summary, { replace: true }), publish) },
  };
  const { preloadModules, workflowInterceptorModules: workflowModules, webpackConfigHook } = workflowBundleOptions({ stackTraces: options.stackTraces });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    sinks,
    // Heartbeats carry cancellation to activities. The SDK sends them at most every 0.8 × the heartbeat timeout
    // (24 s for a node's default 30 s), or every 30 s without one: a cancelled run's HTTP call would linger that
    // long. At most a second apart, each node in flight costs the server a heartbeat a second while it reports.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    // A graceful stop lets in-flight nodes finish rather than cancelling them at once (the SDK's default).
    shutdownGraceTime: options.shutdownGraceMs ?? 0,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, interceptors: { workflowModules }, bundlerOptions: { preloadModules, webpackConfigHook } }),
  });
  return { worker, connection };
}
