import { ActivityFailure, ApplicationFailure, condition, setCurrentDetails } from '@temporalio/workflow';
import { evaluateValue, type ExpressionScope } from '../template/expressions.js';
import type { TemplateNode } from '../template/model.js';
import { activityOptionsFor } from './activity-options.js';
import { EventLog } from './event-log.js';
import type { RunInput } from './input.js';
import { executorFor } from './nodes/index.js';
import type { NodeState, RunError, RunState, RunStatus } from './state.js';

const defaultMaxParallel = 10;

/** Turns whatever a node threw into the error a run reports. */
export function toRunError(err: unknown, nodeId?: string): RunError {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const error: RunError = { message: cause instanceof Error ? cause.message : String(cause) };
  if (cause instanceof ApplicationFailure) {
    if (cause.type) error.type = cause.type;
    if (cause.details?.length) error.details = cause.details[0];
  } else if (cause instanceof Error && cause.name !== 'Error') {
    error.type = cause.name;
  }
  if (nodeId !== undefined) error.nodeId = nodeId;
  return error;
}

/**
 * Interprets one template DAG inside a workflow: ready-set scheduling in template order, `needs` and `when`
 * with the join and skip rules of the template language, and a sequenced event for every state change.
 */
export class RunInterpreter {
  readonly events: EventLog;
  private readonly nodes = new Map<string, NodeState>();
  private readonly definitions: readonly TemplateNode[];
  private status: RunStatus = 'running';
  private output: unknown;
  private error: RunError | undefined;
  private endedAt: string | undefined;
  private readonly claimed = new Set<string>();
  private running = 0;
  private changed = false;

  constructor(private readonly run: RunInput) {
    this.events = new EventLog(run.runId);
    this.definitions = run.template.nodes;
    for (const node of this.definitions) {
      this.nodes.set(node.id, { id: node.id, type: node.type, name: node.name, status: 'pending', attempts: 0 });
    }
  }

  /** The run's state as the `state` query answers it. */
  snapshot(): RunState {
    const nodes = [...this.nodes.values()].map((n) => ({ ...n }));
    const ended = nodes.filter((n) => !['pending', 'running', 'waiting'].includes(n.status)).length;
    const state: RunState = {
      runId: this.run.runId,
      templateId: this.run.templateId,
      templateVersion: this.run.templateVersion,
      status: this.status,
      progress: nodes.length === 0 ? 100 : Math.floor((ended / nodes.length) * 100),
      startedAt: this.run.startedAt,
      nodes,
      seq: this.events.seq,
    };
    if (this.endedAt) state.endedAt = this.endedAt;
    if (this.output !== undefined) state.output = this.output;
    if (this.error) state.error = this.error;
    return state;
  }

  private scope(): ExpressionScope {
    const nodes: ExpressionScope['nodes'] = {};
    for (const n of this.nodes.values()) nodes[n.id] = { status: n.status, output: n.output, error: n.error };
    return {
      input: this.run.input,
      nodes,
      run: { id: this.run.runId, templateId: this.run.templateId, version: this.run.templateVersion, startedAt: this.run.startedAt },
    };
  }

  private state(id: string): NodeState {
    const state = this.nodes.get(id);
    if (!state) throw new TypeError(`unknown node "${id}"`);
    return state;
  }

  private end(node: NodeState, status: NodeState['status'], detail: { output?: unknown; error?: RunError } = {}): void {
    node.status = status;
    node.endedAt = new Date().toISOString();
    if (detail.output !== undefined) node.output = detail.output;
    if (detail.error) node.error = detail.error;
    const data = detail.error ? { error: detail.error } : detail.output !== undefined ? { output: detail.output } : undefined;
    this.events.emit(`node.${status}` as 'node.completed', node.id, data);
    this.changed = true;
  }

  /** What a pending node should do now: wait, run, or be skipped. */
  private readiness(node: TemplateNode): 'wait' | 'ready' | 'skip' | 'blocked' {
    const needs = (node.needs ?? []).map((id) => this.state(id));
    if (needs.some((n) => ['pending', 'running', 'waiting'].includes(n.status))) return 'wait';
    const failed = needs.filter((n) => n.status === 'failed' || n.status === 'cancelled');
    const tolerated = failed.every((n) => this.definitions.find((d) => d.id === n.id)?.onError === 'continue');
    if (!tolerated) return 'blocked';
    if (needs.length > 0 && needs.every((n) => n.status === 'skipped')) return 'skip';
    return 'ready';
  }

  /** Claims a node at once (so no later pass starts it again) and runs it in the background. */
  private launch(node: TemplateNode, inFlight: Promise<void>[]): void {
    this.claimed.add(node.id);
    this.running += 1;
    inFlight.push(
      this.start(node).finally(() => {
        this.running -= 1;
        this.changed = true;
      }),
    );
  }

  private async start(node: TemplateNode): Promise<void> {
    const state = this.state(node.id);
    if (node.when !== undefined) {
      const go = await evaluateValue(node.when, this.scope()).catch((err: unknown) => err);
      if (go instanceof Error) return this.end(state, 'failed', { error: toRunError(go, node.id) });
      if (!go) return this.end(state, 'skipped');
    }
    state.status = 'running';
    state.startedAt = new Date().toISOString();
    state.attempts += 1;
    this.events.emit('node.started', node.id);
    try {
      const config = await evaluateValue(node.config ?? {}, this.scope());
      const output = await executorFor(node.type)({
        runId: this.run.runId,
        node,
        config,
        activityOptions: activityOptionsFor(this.run.template, node),
      });
      this.end(state, 'completed', { output: output ?? null });
    } catch (err) {
      this.end(state, 'failed', { error: toRunError(err, node.id) });
    }
  }

  /** Starts every ready node (up to `maxParallel`) and skips every node whose needs were all skipped. */
  private schedule(maxParallel: number, inFlight: Promise<void>[]): void {
    for (let again = true; again; ) {
      again = false;
      for (const node of this.definitions) {
        if (this.running >= maxParallel) return;
        if (this.claimed.has(node.id) || this.state(node.id).status !== 'pending') continue;
        const readiness = this.readiness(node);
        if (readiness === 'ready') this.launch(node, inFlight);
        else if (readiness === 'skip') {
          this.end(this.state(node.id), 'skipped');
          again = true;
        }
      }
    }
  }

  private failingNode(): NodeState | undefined {
    return this.definitions
      .map((d) => this.state(d.id))
      .find((n) => n.status === 'failed' && (this.definitions.find((d) => d.id === n.id)?.onError ?? 'fail') !== 'continue');
  }

  /** Runs the DAG to its end and settles the run's status, output or error. */
  async execute(): Promise<RunState> {
    this.events.emit('run.started', undefined, { templateId: this.run.templateId, version: this.run.templateVersion, trigger: this.run.trigger });
    const maxParallel = this.run.template.maxParallel ?? defaultMaxParallel;
    const inFlight: Promise<void>[] = [];
    for (;;) {
      if (!this.failingNode()) this.schedule(maxParallel, inFlight);
      if (this.running === 0) break;
      // No await since the pass above, so no completion can slip between it and this reset.
      this.changed = false;
      await condition(() => this.changed);
      setCurrentDetails(`${this.snapshot().progress}% done, ${this.running} node(s) running`);
    }
    await Promise.all(inFlight);
    return this.settle();
  }

  private async settle(): Promise<RunState> {
    const failing = this.failingNode();
    for (const node of this.nodes.values()) {
      if (node.status === 'pending') this.end(node, failing ? 'cancelled' : 'skipped');
    }
    this.endedAt = new Date().toISOString();
    if (failing) {
      this.status = 'failed';
      this.error = { message: `node "${failing.id}" failed: ${failing.error?.message ?? 'unknown error'}`, type: 'NodeFailed', nodeId: failing.id, details: failing.error };
      this.events.emit('run.failed', undefined, { error: this.error });
    } else {
      try {
        this.output = this.run.template.output === undefined ? null : ((await evaluateValue(this.run.template.output, this.scope())) ?? null);
        this.status = 'completed';
        this.events.emit('run.completed', undefined, { output: this.output });
      } catch (err) {
        this.status = 'failed';
        this.error = { ...toRunError(err), type: 'OutputFailed' };
        this.events.emit('run.failed', undefined, { error: this.error });
      }
    }
    setCurrentDetails(`${this.status}, ${this.snapshot().progress}% of nodes ended`);
    return this.snapshot();
  }
}
