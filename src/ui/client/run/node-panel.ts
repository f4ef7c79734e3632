import type { TemplateNode } from '../../../template/model.js';
import type { RunStatus } from '../../../workflows/state.js';
import { problemLines } from '../api.js';
import { fill, h } from '../dom.js';
import { duration, when } from '../format.js';
import { facts, jsonBlock, nodeDefinition } from '../node-config.js';
import { endedRunStatuses, type NodeView } from '../run-state.js';
import { badge, nodeLabel } from '../status.js';

/** What an operator can do to a node from its panel. */
export interface NodeActions {
  retry(nodeId: string): Promise<unknown>;
  skip(nodeId: string): Promise<unknown>;
  /** Resolves with the error when the decision was refused (already told to the page), else undefined. */
  decide(nodeId: string, decision: { decision: 'approve' | 'reject'; comment?: string; by?: string; data?: unknown }): Promise<unknown>;
}

/** Runs an action with its button disabled meanwhile, so a double click sends one command. */
function busy(button: HTMLButtonElement, work: () => Promise<unknown>): void {
  button.disabled = true;
  work().finally(() => (button.disabled = false)).catch(() => {});
}

function approvalForm(node: NodeView, actions: NodeActions): HTMLElement {
  const waiting = node.waitingFor ?? {};
  const comment = h('textarea', { id: 'approval-comment', rows: 3, placeholder: 'Optional: why' });
  const by = h('input', { id: 'approval-by', type: 'text', autocomplete: 'name', placeholder: 'Optional', value: localStorage.getItem('weft.by') ?? '' });
  const formData = waiting.formSchema ? h('textarea', { id: 'approval-data', class: 'code-input', rows: 4, spellcheck: 'false' }, '{}') : undefined;
  const message = h('p', { class: 'form-message', role: 'alert' });
  const decide = (decision: 'approve' | 'reject') => (event: Event) => busy(event.currentTarget as HTMLButtonElement, async () => {
    message.textContent = '';
    let data: unknown;
    try {
      data = formData ? JSON.parse(formData.value || 'null') : undefined;
    } catch {
      message.textContent = 'The form data is not valid JSON.';
      return;
    }
    // A rejection need not fill in the form: the form as it starts (`{}`, or nothing) goes as no data.
    const untouched = data === null || (typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0);
    if (decision === 'reject' && untouched) data = undefined;
    if (by.value) localStorage.setItem('weft.by', by.value);
    const refused = await actions.decide(node.id, { decision, comment: comment.value || undefined, by: by.value || undefined, data });
    // What the API found wrong with the form data, field by field, beside the form.
    if (refused) message.textContent = problemLines(refused).join(' — ');
  });
  return h('form', { class: 'approval', 'aria-label': 'Decide this approval', onsubmit: (e) => e.preventDefault() },
    h('h4', {}, 'Decision needed'),
    typeof waiting.prompt === 'string' && h('p', { class: 'prompt' }, waiting.prompt),
    Array.isArray(waiting.assignees) && h('p', { class: 'muted small' }, `Assigned to ${(waiting.assignees as string[]).join(', ')}`),
    typeof waiting.deadline === 'string' && h('p', { class: 'muted small' }, `Decided automatically at ${when(waiting.deadline)}`),
    h('label', { for: 'approval-comment' }, 'Comment'), comment,
    h('label', { for: 'approval-by' }, 'Your name'), by,
    formData && [h('label', { for: 'approval-data' }, 'Form data (JSON)'), formData],
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button primary', 'data-action': 'approve', onclick: decide('approve') }, 'Approve'),
      h('button', { type: 'button', class: 'button danger', 'data-action': 'reject', onclick: decide('reject') }, 'Reject')),
    message);
}

function nodeActions(node: NodeView, runStatus: RunStatus, actions: NodeActions): HTMLElement | undefined {
  if (endedRunStatuses.includes(runStatus)) return undefined;
  const buttons: HTMLButtonElement[] = [];
  if (node.status === 'failed') {
    buttons.push(h('button', { type: 'button', class: 'button', 'data-action': 'retry', onclick: (e) => busy(e.currentTarget as HTMLButtonElement, () => actions.retry(node.id)) }, 'Retry node'));
  }
  if (node.status === 'failed' || node.status === 'pending') {
    buttons.push(h('button', { type: 'button', class: 'button', 'data-action': 'skip', onclick: (e) => busy(e.currentTarget as HTMLButtonElement, () => actions.skip(node.id)) }, 'Skip node'));
  }
  return buttons.length > 0 ? h('div', { class: 'actions' }, buttons) : undefined;
}

/**
 * The selected node of a run: status, attempts and timing; the approval form when it waits for a person; retry
 * and skip; then its config (from the template), output and error.
 */
export class NodePanel {
  readonly element = h('div', { class: 'node-panel', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Select a node to see its config, output and error.'));
  private drawn = '';
  /** The approval form shown, kept across redraws of the same wait: what the operator typed stays. */
  private form: { wait: string; element: HTMLElement } | undefined;

  constructor(private readonly runId: string, private readonly actions: NodeActions) {}

  /**
   * Draws the node; a redraw happens only when something shown changed, and keeps the approval form of the same
   * wait as it is (the run pausing must not clear a half-typed comment).
   */
  show(node: NodeView, definition: TemplateNode | undefined, runStatus: RunStatus): void {
    const { progress: _progress, ...shown } = node;
    const signature = JSON.stringify([shown, runStatus]);
    if (signature === this.drawn) return;
    this.drawn = signature;
    const deciding = node.type === 'approval' && node.status === 'waiting' && !endedRunStatuses.includes(runStatus);
    const wait = JSON.stringify([node.id, node.startedAt, node.waitingFor]);
    if (!deciding) this.form = undefined;
    else if (this.form?.wait !== wait) this.form = { wait, element: approvalForm(node, this.actions) };
    // Moving the kept form takes the focus out of it: the field being typed in gets it back, caret and all.
    const typing = this.form?.element.contains(document.activeElement) ? (document.activeElement as HTMLInputElement | HTMLTextAreaElement) : undefined;
    const caret = typing && [typing.selectionStart, typing.selectionEnd] as const;
    fill(this.element,
      h('h3', { class: 'node-title' }, node.name ?? node.id, h('span', { class: 'chip' }, node.type)),
      h('div', { class: 'node-status' }, badge(node.status, nodeLabel(node.status)), node.skippedBy === 'operator' && h('span', { class: 'muted small' }, ' skipped by an operator')),
      facts([
        ['Id', h('span', { class: 'mono' }, node.id)],
        ['Attempts', String(node.attempts)],
        ['Started', node.startedAt ? when(node.startedAt) : undefined],
        ['Ended', node.endedAt ? when(node.endedAt) : undefined],
        ['Took', node.startedAt && node.endedAt ? duration(node.startedAt, node.endedAt) : undefined],
      ]),
      this.form?.element,
      node.status === 'waiting' && node.type !== 'approval' && node.waitingFor && jsonBlock('Waiting for', node.waitingFor),
      nodeActions(node, runStatus, this.actions),
      node.error && h('div', { class: 'error-block', 'data-section': 'error' },
        h('h4', {}, node.status === 'failed' ? 'Error' : 'Last error'),
        h('p', {}, node.error.message, node.error.type && h('span', { class: 'chip' }, node.error.type)),
        node.error.details !== undefined && jsonBlock('Details', node.error.details)),
      node.output !== undefined && jsonBlock('Output', node.output, { 'data-section': 'output' }),
      node.output !== undefined && h('p', { class: 'small' }, h('a', { href: `/api/v1/runs/${encodeURIComponent(this.runId)}/nodes/${encodeURIComponent(node.id)}/output`, target: '_blank', rel: 'noopener' }, 'Whole output as JSON')),
      definition && nodeDefinition(definition));
    if (typing && typing.isConnected) {
      typing.focus();
      if (caret?.[0] != null && caret[1] != null) typing.setSelectionRange(caret[0], caret[1]);
    }
  }
}
