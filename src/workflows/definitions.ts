import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision } from '../template/node-types/approval.js';
import type { EventPage, RunEvent, RunState } from './state.js';

/**
 * The longest run id: the longest workflow id Temporal takes, the dev server's `limit.maxIDLength`
 * (`temporal-dev.yml`). A child run's id, its parent's with a suffix, is kept within it (`lineage.ts`), and every
 * place that takes a run id takes one this long.
 */
export const maxRunIdLength = 255;

/**
 * The run's current state, large values truncated. The API and the realtime bridge read runs through it; the
 * index repair asks for the run's output whole, as the run index keeps it.
 */
export const stateQuery = defineQuery<RunState, [options?: { wholeOutput?: boolean }]>('weft.state');

/**
 * The run's events with a seq greater than the argument, in order: the source of truth for catch-up. An answer
 * is a page (under 512 KB); the next starts after its last seq. After a continue-as-new the workflow holds
 * only the events since; older ones were flushed to the run index.
 */
export const eventsQuery = defineQuery<RunEvent[], [afterSeq: number]>('weft.events');

/**
 * {@link eventsQuery}'s page, saying whether the size limit left events out of it: a reader that wants every
 * event so far knows from one answer that it has them.
 */
export const eventPageQuery = defineQuery<EventPage, [afterSeq: number]>('weft.eventPage');

/** One node's whole output (a blob reference when it was too large for history), `undefined` for none. */
export const nodeOutputQuery = defineQuery<unknown, [nodeId: string]>('weft.nodeOutput');

/** A decision on an approval node, as the `approve` update carries it (form data checked by the API). */
export type ApprovalInput = ApprovalDecision & { by?: string };

/**
 * Operator control. Each update is validated first and answers with the run's state once applied, without
 * node outputs or the run's output (answers stay in history; the state query has the outputs).
 */
/** No new node starts; in-flight nodes finish. Status `pausing`, then `paused` when none is running. */
export const pauseUpdate = defineUpdate<RunState>('weft.pause');
/** Lifts an operator pause. */
export const resumeUpdate = defineUpdate<RunState>('weft.resume');
/** Cancels in-flight activities, timers and child runs; nothing new starts; answers with the `cancelled` state. */
export const cancelUpdate = defineUpdate<RunState, [request: { reason?: string }]>('weft.cancel');
/** Runs a failed node again, optionally with a changed `config`. */
export const retryNodeUpdate = defineUpdate<RunState, [request: { nodeId: string; config?: unknown }]>('weft.retryNode');
/** Ends a failed (or pending) node as skipped, with an output its dependents read instead. */
export const skipNodeUpdate = defineUpdate<RunState, [request: { nodeId: string; output?: unknown }]>('weft.skipNode');
/** Decides a waiting approval node. */
export const approveUpdate = defineUpdate<RunState, [request: { nodeId: string } & ApprovalInput]>('weft.approve');

/**
 * `ApplicationFailure` types the update validators reject with, which the API maps to HTTP statuses: the node
 * does not exist (404), or the command makes no sense in the run's current state (409).
 */
export const controlFailureTypes = { notFound: 'WeftNotFound', conflict: 'WeftConflict' } as const;

/** The interpreter's workflow type name, as the Web UI and `temporal workflow list` show it. */
export const interpreterWorkflowType = 'runTemplate';

/** The workflow type that runs one batch of a large map's items as a child of the run. */
export const mapBatchWorkflowType = 'runMapBatch';
