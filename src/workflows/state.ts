import { z } from 'zod';

/**
 * The shapes a run exposes: its state (the `state` query and `GET /api/v1/runs/:id`) and its events. The zod
 * schemas are the one definition; workflow code imports only the types, so zod never enters the sandbox.
 */

export const runStatusSchema = z.enum(['running', 'pausing', 'paused', 'waiting_for_operator', 'completed', 'failed', 'cancelled']);
export const nodeStatusSchema = z.enum(['pending', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled']);

/** A failure as runs report it: a message, a type clients can branch on, and details when known. */
export const runErrorSchema = z.object({
  message: z.string(),
  type: z.string().optional(),
  nodeId: z.string().optional(),
  details: z.unknown().optional(),
});

export const nodeStateSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().optional(),
  status: nodeStatusSchema,
  attempts: z.number().int(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  output: z.unknown().optional(),
  error: runErrorSchema.optional(),
  /** Set when an operator skipped the node: its output (given by the operator) feeds its dependents. */
  skippedBy: z.literal('operator').optional(),
  /** What a `waiting` node waits for: an approval (prompt, assignees, formSchema, deadline) or a timer. */
  waitingFor: z.record(z.string(), z.unknown()).optional(),
});

export const runStateSchema = z.object({
  runId: z.string(),
  templateId: z.string(),
  templateVersion: z.number().int(),
  status: runStatusSchema,
  /** Share of nodes that have ended, 0–100. */
  progress: z.number().int().min(0).max(100),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** The run that started this one as a child (a `subworkflow` node, a map item); absent for a top-level run. */
  parentRunId: z.string().optional(),
  nodes: z.array(nodeStateSchema),
  output: z.unknown().optional(),
  error: runErrorSchema.optional(),
  /** The seq of the last event this state reflects. */
  seq: z.number().int(),
  /** Nodes still running (not counting those waiting on a timer or a person): what a pause waits for. */
  inFlight: z.array(z.string()).optional(),
});

export const runEventTypeSchema = z.enum([
  'run.started', 'run.pausing', 'run.paused', 'run.resumed', 'run.completed', 'run.failed', 'run.cancelled',
  'node.started', 'node.retrying', 'node.progress', 'node.waiting', 'node.completed', 'node.failed', 'node.skipped', 'node.cancelled',
]);

/**
 * One state change of a run; `seq` increases by exactly 1 per run. Live-only events (`node.progress`, and
 * `node.retrying` for Temporal's own activity retries) come from activities, which cannot number the run's
 * events: they carry the seq of the event they follow plus a `sub` sequence, and are never stored.
 */
export const runEventSchema = z.object({
  seq: z.number().int().min(1),
  sub: z.number().int().min(1).optional(),
  type: runEventTypeSchema,
  nodeId: z.string().optional(),
  at: z.string(),
  data: z.unknown().optional(),
});

/**
 * A page of a run's events in seq order. `more` says that events after the page's last are there to read now:
 * ask again after its last seq. An open run's page without `more` holds every event so far.
 */
export const eventPageSchema = z.object({
  items: z.array(runEventSchema),
  more: z.boolean(),
});

export type RunStatus = z.infer<typeof runStatusSchema>;
export type NodeStatus = z.infer<typeof nodeStatusSchema>;
export type RunError = z.infer<typeof runErrorSchema>;
export type NodeState = z.infer<typeof nodeStateSchema>;
export type RunState = z.infer<typeof runStateSchema>;
export type RunEventType = z.infer<typeof runEventTypeSchema>;
export type RunEvent = z.infer<typeof runEventSchema>;
export type EventPage = z.infer<typeof eventPageSchema>;

/**
 * What the interpreter workflow returns: the run's id, final status and output (a blob reference when large),
 * as the Web UI shows a workflow's result and a parent run reads its child's. Small by design: the whole state
 * is in the run index and the `state` query, and a result past Temporal's payload limit would end the run.
 */
export type RunResult = Pick<RunState, 'runId' | 'status' | 'output'>;

/** Run statuses after which nothing changes. */
export const terminalRunStatuses: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];
