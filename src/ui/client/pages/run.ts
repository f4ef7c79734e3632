import type { TemplateNode } from '../../../template/model.js';
import type { RunState } from '../../../workflows/state.js';
import { api } from '../api.js';
import { drawDag } from '../dag.js';
import { fill, h } from '../dom.js';
import { duration, shortId, when } from '../format.js';
import { RunFeed, socketUrl, type Connection } from '../feed.js';
import { card, frame, links } from '../layout.js';
import { jsonBlock } from '../node-config.js';
import { RunControls, type RunCommand } from '../run/controls.js';
import { EventLogView, frameOf } from '../run/event-log.js';
import { NodePanel } from '../run/node-panel.js';
import { applyEvent, endedRunStatuses } from '../run-state.js';
import { runsTable } from '../runs-table.js';
import { badge, runLabel } from '../status.js';

const connectionLabels: Record<Connection, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function progressBar(): { element: HTMLElement; update(state: RunState): void } {
  const fillBar = h('div', { class: 'progress-fill' });
  const text = h('span', { class: 'progress-text' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Run progress', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fillBar);
  return {
    element: h('div', { class: 'progress-row' }, bar, text),
    update(state) {
      const ended = state.nodes.filter((n) => !['pending', 'running', 'waiting'].includes(n.status)).length;
      bar.setAttribute('aria-valuenow', String(state.progress));
      bar.dataset.status = state.status;
      fillBar.style.width = `${state.progress}%`;
      text.textContent = `${state.progress}% · ${ended} of ${state.nodes.length} nodes done`;
    },
  };
}

/**
 * A run, live: the template's DAG with each node's status, progress, the event log, the selected node's details
 * and the operator controls. State comes from the `/ws` snapshot and is kept current by applying each event.
 */
export async function runPage(root: HTMLElement, runId: string): Promise<void> {
  let state = await api.run(runId);
  const template = await api.templateVersion(state.templateId, state.templateVersion);
  const definitions = new Map<string, TemplateNode>(template.definition.nodes.map((n) => [n.id, n]));
  const holdsOnFailure = new Set(template.definition.nodes.filter((n) => n.onError === 'pause').map((n) => n.id));
  const main = frame(root, [
    { label: 'Overview', href: links.home() },
    { label: state.templateId, href: links.template(state.templateId) },
    { label: `Run ${shortId(runId)}` },
  ], `Run ${shortId(runId)}`);

  const nameOf = (nodeId: string) => definitions.get(nodeId)?.name ?? nodeId;
  let selected: string | undefined;
  const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const notice = (text: string, kind: 'ok' | 'error') => {
    const item = h('p', { class: `notice notice-${kind}` }, text);
    notices.replaceChildren(item);
    if (kind === 'ok') setTimeout(() => item.remove(), 4000);
  };
  /** Runs a command and tells the page how it went; resolves with the error, when there was one. */
  const act = async (label: string, work: () => Promise<unknown>): Promise<unknown> => {
    try {
      await work();
      notice(label, 'ok');
      return undefined;
    } catch (err) {
      notice(err instanceof Error ? err.message : String(err), 'error');
      return err;
    }
  };
  const panel = new NodePanel(runId, {
    retry: (nodeId) => act(`Retrying “${nameOf(nodeId)}”`, () => api.node(runId, nodeId, 'retry')),
    skip: (nodeId) => act(`Skipped “${nameOf(nodeId)}”`, () => api.node(runId, nodeId, 'skip')),
    decide: (nodeId, decision) => act(`${decision.decision === 'approve' ? 'Approved' : 'Rejected'} “${nameOf(nodeId)}”`, () => api.approve(runId, nodeId, decision)),
  });
  const commandLabels: Record<RunCommand, string> = { pause: 'Pause requested', resume: 'Resumed', cancel: 'Cancel requested' };
  const controls = new RunControls((command) => act(commandLabels[command], () => api.control(runId, command)));
  const dag = drawDag(template.definition.nodes, (nodeId) => {
    selected = nodeId;
    dag.select(nodeId);
    render();
  });
  const log = new EventLogView();
  const progress = progressBar();
  const status = h('span', { class: 'run-status' });
  const connection = h('span', { class: 'connection', 'data-state': 'connecting' }, connectionLabels.connecting);
  const timing = h('span', { class: 'muted' });
  const result = h('div', { class: 'run-result' });
  const children = startsChildRuns(template.definition.nodes) ? childRunsCard(runId, () => state.status) : undefined;

  function render(): void {
    fill(status, badge(state.status, runLabel(state.status)));
    status.dataset.status = state.status;
    document.title = `${runLabel(state.status)} · ${state.templateId} · Weft`;
    timing.textContent = `Started ${when(state.startedAt)} · ${endedRunStatuses.includes(state.status) ? 'took' : 'running for'} ${duration(state.startedAt, state.endedAt)}`;
    progress.update(state);
    controls.update(state.status);
    for (const node of state.nodes) dag.update(node);
    const node = selected === undefined ? undefined : state.nodes.find((n) => n.id === selected);
    if (node) panel.show(node, definitions.get(node.id), state.status);
    fill(result,
      state.error && h('div', { class: 'error-block', 'data-section': 'run-error' }, h('h4', {}, 'Run failed'), h('p', {}, state.error.message)),
      state.output !== undefined && jsonBlock('Run output', state.output, { 'data-section': 'run-output' }));
  }

  fill(main,
    h('div', { class: 'page-head run-head' },
      h('div', {},
        h('h1', {}, template.definition.name, ' ', h('span', { class: 'mono muted run-id', title: runId }, shortId(runId))),
        h('p', { class: 'head-meta' }, status, connection, timing),
        state.parentRunId !== undefined && h('p', { class: 'muted small parent-run' }, 'Started by run ',
          h('a', { href: links.run(state.parentRunId), class: 'mono', title: state.parentRunId }, shortId(state.parentRunId)))),
      controls.element),
    progress.element,
    notices,
    h('div', { class: 'run-grid' },
      h('div', { class: 'stack' }, card('Graph', dag.element, { class: 'card graph-card' }), card('Events', log.element)),
      h('div', { class: 'stack side' }, card('Node', panel.element), card('Result', result, { class: 'card result-card' }), children)));
  render();

  const feed = new RunFeed(socketUrl(), runId, {
    snapshot(snapshot) {
      state = snapshot;
      render();
    },
    event(frame) {
      applyEvent(state, frame, holdsOnFailure);
      log.add(frame);
      render();
    },
    problem: (message) => notice(message, 'error'),
    connection(now) {
      connection.dataset.state = now;
      connection.textContent = connectionLabels[now];
    },
  });
  feed.start();
  void loadHistory(runId, log);
  setInterval(() => !endedRunStatuses.includes(state.status) && render(), 1000);
}

/** Whether a template has nodes that start child runs: a `subworkflow`, or a `map` of a template. */
function startsChildRuns(nodes: readonly TemplateNode[]): boolean {
  return nodes.some((n) => n.type === 'subworkflow' || (n.type === 'map' && typeof (n.config as { template?: unknown } | undefined)?.template === 'string'));
}

const childRunsEveryMs = 3000;

/**
 * The runs a run started, each linking to its own page: listed from the run index, again every few seconds
 * while the run is open, and once more after it ends, when its last children have closed.
 */
function childRunsCard(runId: string, status: () => RunState['status']): HTMLElement {
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  let ended = false;
  const load = () => api.childRuns(runId).then((page) => fill(body, runsTable(page.items)), () => {});
  void load();
  const timer = setInterval(() => {
    if (ended) return clearInterval(timer);
    ended = endedRunStatuses.includes(status());
    if (document.visibilityState === 'visible' || ended) void load();
  }, childRunsEveryMs);
  return card('Child runs', body, { class: 'card child-runs' });
}

/** The most events the log loads from the history, so that a very long run does not hold the page up. */
const historyLimit = 5_000;

/** Fills the log with the run's events so far, page after page. */
async function loadHistory(runId: string, log: EventLogView): Promise<void> {
  try {
    for (let after = 0, loaded = 0; loaded < historyLimit; ) {
      const page = await api.events(runId, after);
      page.items.forEach((e) => log.add(frameOf(runId, e)));
      loaded += page.items.length;
      if (!page.more || page.items.length === 0) return;
      after = page.items.at(-1)!.seq;
    }
  } catch {
    // The live feed still shows what happens from now on.
  }
}
