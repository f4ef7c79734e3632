import { condition, setHandler } from '@temporalio/workflow';
import { approveUpdate, cancelUpdate, nodeOutputQuery, pauseUpdate, resumeUpdate, retryNodeUpdate, skipNodeUpdate } from './definitions.js';
import { unnamedDecider } from '../template/node-types/approval.js';
import { notNow, unknownNode } from './failures.js';
import type { RunInterpreter } from './interpreter.js';
import type { NodeState } from './state.js';

/**
 * Installs the operator commands. Each validator rejects, before anything reaches history, a command that
 * names no node of the run (`WeftNotFound`) or makes no sense in the run's state (`WeftConflict`); each handler
 * applies the command, emits its events and answers with the run's state without its outputs.
 */
export function installControl(run: RunInterpreter): void {
  const { book } = run;
  // Temporal keeps each update's answer in history: with outputs, every command on a run holding large ones
  // would add hundreds of KB to it, and a few hundred commands within one execution would pass the history
  // limit. Outputs are read through the state query (the API does).
  const answer = () => book.snapshot({ withoutOutputs: true });
  const open = (): void => {
    if (book.final) throw notNow(`the run has ended (${book.final})`);
    if (book.cancelRequested) throw notNow('the run is being cancelled');
    // It ends failed once what is in flight is cancelled (a child run takes a moment): a cancel would end it
    // cancelled, its failure lost; a pause, a skip or a decision would change a run that no longer goes on.
    const failing = book.failing();
    if (failing) throw notNow(`the run is failing because of node "${failing.id}"`);
    // Its state is being handed over: a command applied now would be lost with this execution.
    if (book.renewing) throw notNow('the run is moving on to a new execution: send the command again in a moment');
  };
  const nodeOf = (nodeId: string): NodeState => {
    if (typeof nodeId !== 'string' || !book.definitions.has(nodeId)) throw unknownNode(String(nodeId));
    return book.node(nodeId);
  };
  const failedAndHeldBack = (nodeId: string, verb: string): void => {
    open();
    const node = nodeOf(nodeId);
    if (node.status !== 'failed') throw notNow(`node "${nodeId}" has not failed (it is ${node.status}): there is nothing to ${verb}`);
    // A dependent an operator skipped read nothing of this node: its output was given. One that ran, or that a
    // `when` skipped, read what this node ended with, which a retry or a skip would change under it.
    const started = [...book.definitions.values()].filter((d) => {
      const dependent = book.node(d.id);
      return d.needs?.includes(nodeId) && dependent.status !== 'pending' && dependent.skippedBy !== 'operator';
    });
    if (started.length > 0) throw notNow(`node "${nodeId}" cannot be changed: ${started.map((d) => `"${d.id}"`).join(', ')} already ran after it`);
  };

  setHandler(nodeOutputQuery, (nodeId) => book.nodes.get(nodeId)?.output);

  setHandler(pauseUpdate, () => {
    book.pauseRequested = true;
    book.touch();
    return answer();
  }, {
    validator: () => {
      open();
      if (book.pauseRequested) throw notNow(`the run is already ${book.status()}`);
    },
  });

  setHandler(resumeUpdate, () => {
    book.pauseRequested = false;
    book.touch();
    return answer();
  }, {
    validator: () => {
      open();
      if (!book.pauseRequested) throw notNow(`the run is not paused (it is ${book.status()})`);
    },
  });

  setHandler(cancelUpdate, async (request) => {
    run.cancel(request?.reason);
    await condition(() => book.final !== undefined);
    return answer();
  }, { validator: (_request) => open() });

  setHandler(retryNodeUpdate, ({ nodeId, config }) => {
    const node = book.node(nodeId);
    if (config !== undefined) book.override(nodeId, config);
    book.events.emit('node.retrying', nodeId, { attempt: node.attempts + 1, error: node.error, ...(config !== undefined ? { config } : {}) });
    node.status = 'pending';
    delete node.error;
    delete node.endedAt;
    book.noteBlobs(node);
    book.touch();
    return answer();
  }, { validator: (request: { nodeId: string }) => failedAndHeldBack(request?.nodeId, 'retry') });

  setHandler(skipNodeUpdate, ({ nodeId, output }) => {
    const node = book.node(nodeId);
    delete node.error;
    node.skippedBy = 'operator';
    book.end(node, 'skipped', { output: output ?? null, data: { by: 'operator' } });
    return answer();
  }, {
    validator: (request: { nodeId: string }) => {
      open();
      const nodeId = request?.nodeId;
      if (nodeOf(nodeId).status !== 'pending') failedAndHeldBack(nodeId, 'skip');
      else if (book.active.has(nodeId)) throw notNow(`node "${nodeId}" is starting`);
    },
  });

  setHandler(approveUpdate, async ({ nodeId, ...decision }) => {
    book.decisions.set(nodeId, {
      decision: decision.decision, by: decision.by ?? unnamedDecider, comment: decision.comment ?? null, data: decision.data ?? null, at: new Date().toISOString(),
    });
    book.touch();
    await condition(() => book.node(nodeId).status !== 'waiting');
    return answer();
  }, {
    validator: (decision: { nodeId: string; decision: string }) => {
      open();
      const nodeId = decision?.nodeId;
      const node = nodeOf(nodeId);
      if (node.type !== 'approval') throw notNow(`node "${nodeId}" is a ${node.type} node, not an approval`);
      if (node.status !== 'waiting' || book.decisions.has(nodeId)) throw notNow(`node "${nodeId}" is not waiting for a decision (it is ${node.status})`);
      if (decision?.decision !== 'approve' && decision?.decision !== 'reject') throw notNow('decision must be "approve" or "reject"');
    },
  });
}
