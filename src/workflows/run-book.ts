import { workflowInfo } from '@temporalio/workflow';
import type { ExpressionScope } from '../template/expressions.js';
import type { OnError, TemplateNode } from '../template/model.js';
import type { ApprovalOutput } from '../template/node-types/approval.js';
import { secretNames, secretsScope } from '../template/secrets.js';
import type { Carried } from './carry.js';
import { holdsBlobRef } from './blob-ref.js';
import { EventLog } from './event-log.js';
import { LoopWake } from './loop-wake.js';
import { pendingNode } from './initial-state.js';
import type { RunInput } from './input.js';
import type { NodeState, RunError, RunState, RunStatus } from './state.js';
import { runProgress } from './run-progress.js';
import { showOpenStatus } from './status-attribute.js';
import { change, hasChange } from './revision.js';
import { shownOutputs, truncated } from './truncate.js';

type Final = 'completed' | 'failed' | 'cancelled';

/**
 * Since this change a retried node's new config may read secrets the template does not: they were left out of
 * the run's `secrets` scope, so `{{ secrets.x }}` read as nothing, and the request went without it.
 */
export const retrySecretsChange = change('weft-retry-secrets', 24);

/**
 * Since this change a run being cancelled or failing reports no more status moves: a run pausing when a cancel
 * came reported `run.paused` (and set `WeftStatus` to `paused`) once its cancelled nodes had drained, just
 * before `run.cancelled`. Asked for only by such a move.
 */
export const quietEndChange = change('weft-quiet-end', 23);

/**
 * The run's book-keeping: every node's state, the event log, operator flags and the run's status. The scheduler
 * and the operator commands both write here, and every change that users can see goes through an event.
 */
export class RunBook {
  readonly events: EventLog;
  readonly definitions: ReadonlyMap<string, TemplateNode>;
  readonly nodes = new Map<string, NodeState>();
  /** Launched nodes that have not ended yet, running or waiting. */
  readonly active = new Set<string>();
  /** Running nodes with nothing in flight while the run is paused (a map that starts no more items): they do not hold the pause up. */
  readonly idle = new Set<string>();
  /** Configs given with operator retries. */
  readonly overrides = new Map<string, unknown>();
  /** Nodes whose output is, or holds, a blob reference: expressions reading inside it need the stored value. */
  readonly blobbed = new Set<string>();
  /** Nodes whose error holds a blob reference (in its details): expressions reading it need the stored value. */
  readonly blobbedErrors = new Set<string>();
  /** Decisions on approval nodes, set by the `approve` update and read by the waiting node. */
  readonly decisions = new Map<string, ApprovalOutput>();
  pauseRequested = false;
  cancelRequested = false;
  /** Set once the run goes on in a new execution: from then on this one takes no command (see `control.ts`). */
  renewing = false;
  output: unknown;
  error: RunError | undefined;
  /** How the run ends, set as it starts to settle (nothing is reported as a status move from then on). */
  final: Final | undefined;
  /** Set with the run's final event: until then (its output may still be being stored) readers see it open. */
  settled = false;
  endedAt: string | undefined;
  /** Set by every change; the scheduler sleeps until it is. */
  changed = false;
  /** Wakes the scheduler at every change, in runs whose scheduler sleeps on it (see `loop-wake.ts`). */
  readonly wake = new LoopWake();
  private reported: string;
  /** The scope as of the last change; every change of a node's state goes through {@link touch}, which drops it. */
  private scopeNow: ExpressionScope | undefined;

  constructor(readonly run: RunInput) {
    const carried = run.carried;
    this.events = new EventLog(run.runId, carried?.seq ?? 0);
    this.definitions = new Map(run.template.nodes.map((n) => [n.id, n]));
    this.canHold = run.template.nodes.some((n) => n.onError === 'pause');
    this.reported = carried?.reported ?? 'running';
    this.pauseRequested = carried?.pauseRequested ?? false;
    for (const [id, config] of Object.entries(carried?.overrides ?? {})) this.overrides.set(id, config);
    for (const node of run.template.nodes) {
      const state = carried?.nodes.find((n) => n.id === node.id) ?? pendingNode(node);
      this.nodes.set(node.id, state);
      this.noteBlobs(state);
    }
  }

  node(id: string): NodeState {
    const state = this.nodes.get(id);
    if (!state) throw new TypeError(`unknown node "${id}"`);
    return state;
  }

  onError(id: string): OnError {
    return this.definitions.get(id)?.onError ?? 'fail';
  }

  /** Nodes that failed with `onError: pause` and wait for an operator to retry or skip them. */
  held(): NodeState[] {
    return [...this.nodes.values()].filter((n) => this.isHeld(n));
  }

  private isHeld(n: NodeState): boolean {
    return n.status === 'failed' && this.onError(n.id) === 'pause';
  }

  /** Whether any node holds the run when it fails (`onError: pause`): most templates have none. */
  private readonly canHold: boolean;

  /** True when some node waits for an operator ({@link held}), without listing them. */
  holding(): boolean {
    // Asked at every change, to report the run's status: a template that cannot hold need not look.
    if (!this.canHold) return false;
    for (const n of this.nodes.values()) if (this.isHeld(n)) return true;
    return false;
  }

  /** The first node whose failure fails the run. */
  failing(): NodeState | undefined {
    for (const n of this.nodes.values()) if (n.status === 'failed' && this.onError(n.id) === 'fail') return n;
    return undefined;
  }

  /** Ids of launched nodes that are running, not waiting on a timer or a person. */
  inFlight(): string[] {
    return [...this.active].filter((id) => this.isInFlight(id));
  }

  /** How many {@link inFlight} nodes there are, without listing them. */
  inFlightCount(): number {
    let count = 0;
    for (const id of this.active) if (this.isInFlight(id)) count++;
    return count;
  }

  private isInFlight(id: string): boolean {
    const status = this.node(id).status;
    return status === 'pending' || (status === 'running' && !this.idle.has(id));
  }

  /** Share of nodes that have ended, 0–100 ({@link runProgress}). */
  progress(): number {
    return runProgress(this.status(), this.nodes.values(), (n) => this.isHeld(n));
  }

  status(): RunStatus {
    if (this.final && this.settled) return this.final;
    if (this.pauseRequested) return this.inFlightCount() > 0 ? 'pausing' : 'paused';
    if (this.holding()) return 'waiting_for_operator';
    return 'running';
  }

  /** Emits the run's final event; from then on the run reads as ended. */
  close(type: 'run.completed' | 'run.failed' | 'run.cancelled', data?: unknown): void {
    this.settled = true;
    this.events.emit(type, undefined, data);
  }

  /** Marks a change; emits the `run.*` event and updates `WeftStatus` when the run's status moved. */
  touch(): void {
    this.changed = true;
    this.wake.notify();
    this.scopeNow = undefined;
    const status = this.status();
    if (status === this.reported || this.final) return;
    // A run being cancelled, or failing, is on its way to its end: a pause that its cancelled nodes complete, say,
    // is not a status it takes.
    if ((this.cancelRequested || this.failing()) && hasChange(quietEndChange)) return;
    this.reported = status;
    if (status === 'pausing') this.events.emit('run.pausing', undefined, { inFlight: this.inFlight() });
    else if (status === 'paused') this.events.emit('run.paused', undefined, { reason: 'operator' });
    else if (status === 'waiting_for_operator') this.events.emit('run.paused', undefined, { reason: 'node-failed', nodeIds: this.held().map((n) => n.id) });
    else this.events.emit('run.resumed');
    showOpenStatus(status);
  }

  /** Keeps {@link blobbed} and {@link blobbedErrors} in step with a node's output and error. */
  noteBlobs(node: NodeState): void {
    if (holdsBlobRef(node.output)) this.blobbed.add(node.id);
    else this.blobbed.delete(node.id);
    if (holdsBlobRef(node.error)) this.blobbedErrors.add(node.id);
    else this.blobbedErrors.delete(node.id);
  }

  /** Ends a node with its event. */
  end(node: NodeState, status: NodeState['status'], detail: { output?: unknown; error?: RunError; data?: Record<string, unknown> } = {}): void {
    node.status = status;
    this.idle.delete(node.id);
    node.endedAt = new Date().toISOString();
    delete node.waitingFor;
    if (detail.output !== undefined) node.output = detail.output;
    if (detail.error) node.error = detail.error;
    this.noteBlobs(node);
    const data = { ...(detail.error ? { error: detail.error } : detail.output !== undefined ? { output: detail.output } : {}), ...detail.data };
    this.events.emit(`node.${status}` as 'node.completed', node.id, Object.keys(data).length > 0 ? data : undefined);
    this.touch();
  }

  private secretNamesUsed: string[] | undefined;

  /** The secrets the run's configs read: the template's, and those of configs an operator's retry gave. */
  private secretNames(): string[] {
    if (this.secretNamesUsed) return this.secretNamesUsed;
    const configs = this.run.template.nodes.map((n) => n.config);
    if (this.overrides.size > 0 && hasChange(retrySecretsChange)) configs.push(...this.overrides.values());
    this.secretNamesUsed = secretNames(configs);
    return this.secretNamesUsed;
  }

  /** Runs a node with another config from now on (an operator's retry), which may read secrets of its own. */
  override(nodeId: string, config: unknown): void {
    this.overrides.set(nodeId, config);
    this.secretNamesUsed = undefined;
    this.scopeNow = undefined;
  }

  /** Each node's entry in the latest scope: an entry is never changed once made, so scopes share the unchanged ones. */
  private readonly scopeEntries = new Map<string, ExpressionScope['nodes'][string]>();

  /** The names expressions read: the input, each node's status, output and error, and the run. Never changed once made. */
  scope(): ExpressionScope {
    if (this.scopeNow) return this.scopeNow;
    const nodes: ExpressionScope['nodes'] = {};
    // A pass that starts many nodes makes a scope for each: only the entries of nodes that moved are made anew.
    for (const n of this.nodes.values()) {
      let entry = this.scopeEntries.get(n.id);
      if (entry?.status !== n.status || entry.output !== n.output || entry.error !== n.error) {
        entry = { status: n.status, output: n.output, error: n.error };
        this.scopeEntries.set(n.id, entry);
      }
      nodes[n.id] = entry;
    }
    const run = this.run;
    this.scopeNow = {
      input: run.input, nodes, run: { id: run.runId, templateId: run.templateId, version: run.templateVersion, startedAt: run.startedAt },
      // Markers, not values: activities resolve them (see src/template/secrets.ts).
      secrets: secretsScope(workflowInfo().runId, this.secretNames()),
    };
    return this.scopeNow;
  }

  /**
   * The run's state as queries answer it, large values truncated (see {@link shownOutputs}). The final state
   * written to the run index keeps the run's output whole (a blob reference when it is large); the answers of
   * operator commands, which Temporal keeps in history, leave every output out.
   */
  snapshot(options: { wholeOutput?: boolean; withoutOutputs?: boolean } = {}): RunState {
    const nodes = [...this.nodes.values()].map((n) => ({ ...n }));
    if (options.withoutOutputs) {
      for (const node of nodes) delete node.output;
    } else {
      const withOutput = nodes.filter((n) => n.output !== undefined);
      shownOutputs(withOutput.map((n) => n.output)).forEach((shown, i) => (withOutput[i]!.output = shown));
    }
    const state: RunState = {
      runId: this.run.runId,
      templateId: this.run.templateId,
      templateVersion: this.run.templateVersion,
      status: this.status(),
      progress: this.progress(),
      startedAt: this.run.startedAt,
      nodes,
      seq: this.events.seq,
      inFlight: this.inFlight(),
    };
    if (this.endedAt && this.settled) state.endedAt = this.endedAt;
    if (this.run.parentRunId !== undefined) state.parentRunId = this.run.parentRunId;
    if (this.output !== undefined && !options.withoutOutputs) state.output = options.wholeOutput ? this.output : truncated(this.output);
    if (this.error) state.error = this.error;
    return state;
  }

  /** What a continue-as-new hands over. */
  carry(): Carried {
    return {
      seq: this.events.seq,
      nodes: [...this.nodes.values()],
      pauseRequested: this.pauseRequested,
      overrides: Object.fromEntries(this.overrides),
      reported: this.reported,
      executions: (this.run.carried?.executions ?? 1) + 1,
    };
  }
}
