import type { TemplateNode } from '../../../template/model.js';
import { api, problemLines } from '../api.js';
import { drawDag } from '../dag.js';
import { fill, h } from '../dom.js';
import { card, frame, links } from '../layout.js';
import { nodeDefinition } from '../node-config.js';
import { runsTable } from '../runs-table.js';

function startForm(templateId: string): HTMLElement {
  const input = h('textarea', { id: 'run-input', class: 'code-input', rows: 4, spellcheck: 'false' }, '{}');
  const message = h('p', { class: 'form-message', role: 'alert' });
  const form = h('form', { class: 'start-form', 'aria-label': 'Start a run' },
    h('label', { for: 'run-input' }, 'Input (JSON)'), input,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Start run')), message);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let value: unknown;
    try {
      value = JSON.parse(input.value || 'null');
    } catch {
      message.textContent = 'The input is not valid JSON.';
      return;
    }
    api.startRun(templateId, value).then(
      ({ runId }) => location.assign(links.run(runId)),
      (err: unknown) => {
        message.textContent = [err instanceof Error ? err.message : String(err), ...problemLines(err)].join(' — ');
      });
  });
  return form;
}

/** A template's page: its DAG drawn before any run, each node's definition on click, a run form and its runs. */
export async function templatePage(root: HTMLElement, templateId: string): Promise<void> {
  const main = frame(root, [{ label: 'Overview', href: links.home() }, { label: templateId }], templateId);
  const [template, runs] = await Promise.all([api.template(templateId), api.runs(templateId)]);
  const def = template.definition;
  const details = h('div', { class: 'node-panel', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Select a node to see its definition.'));
  const byId = new Map<string, TemplateNode>(def.nodes.map((n) => [n.id, n]));
  const dag = drawDag(def.nodes, (nodeId) => {
    const node = byId.get(nodeId);
    if (!node) return;
    dag.select(nodeId);
    fill(details, h('h3', { class: 'node-title' }, node.name ?? node.id, h('span', { class: 'chip' }, node.type)), node.name && h('p', { class: 'mono muted' }, node.id), nodeDefinition(node));
  });
  fill(main,
    h('div', { class: 'page-head' },
      h('h1', {}, def.name),
      h('p', { class: 'muted' }, h('span', { class: 'mono' }, `${template.id} · v${template.version}`), ` · ${def.nodes.length} nodes`, template.archived ? ' · archived' : ''),
      def.description && h('p', {}, def.description)),
    h('div', { class: 'run-grid' },
      h('div', { class: 'stack' }, card('Graph', dag.element, { class: 'card graph-card' }), card('Runs', runsTable(runs.items, { showTemplate: false }))),
      h('div', { class: 'stack side' }, card('Node', details), !template.archived && card('Start a run', startForm(templateId)))));
}
