import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel, type Point } from '@dagrejs/dagre';
import type { TemplateNode } from '../../template/model.js';
import { h, svg } from './dom.js';
import { progressText } from './format.js';
import type { NodeView } from './run-state.js';
import { nodeLabel } from './status.js';

const nodeWidth = 196;
const nodeHeight = 62;
const margin = 24;
const minScale = 0.6;

/** A drawn DAG: the element to insert, and how to reflect a node's state or the selection on it. */
export interface DagView {
  element: HTMLElement;
  update(node: NodeView): void;
  select(nodeId: string | undefined): void;
}

/** A smooth path through dagre's edge points. */
function edgePath(points: Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!;
    const next = rest[i + 1]!;
    d += ` Q${p.x},${p.y} ${(p.x + next.x) / 2},${(p.y + next.y) / 2}`;
  }
  const last = rest.at(-1);
  return last ? `${d} L${last.x},${last.y}` : d;
}

function layout(nodes: readonly TemplateNode[]) {
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 64, marginx: margin, marginy: margin });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: nodeWidth, height: nodeHeight });
  for (const node of nodes) for (const need of node.needs ?? []) if (graph.hasNode(need)) graph.setEdge(need, node.id);
  dagre.layout(graph);
  const size = graph.graph();
  return { graph, width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0) };
}

/**
 * Lays the template's DAG out left to right (dagre) and draws it: edges in SVG, nodes as real buttons on top,
 * so each is focusable and clicks or Enter select it. A node's status shows as colour and as text.
 */
export function drawDag(nodes: readonly TemplateNode[], onSelect: (nodeId: string) => void): DagView {
  const { graph, width, height } = layout(nodes);
  const edges = svg('g', { class: 'edges' });
  const canvas = h('div', { class: 'dag-canvas', style: `width:${width}px;height:${height}px` },
    svg('svg', { class: 'dag-edges', width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true' },
      svg('defs', {}, svg('marker', { id: 'dag-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'dag-arrow' }))),
      edges));
  for (const e of graph.edges()) {
    const points = graph.edge(e).points ?? [];
    edges.appendChild(svg('path', { class: 'dag-edge', d: edgePath(points), 'data-from': e.v, 'data-to': e.w, 'marker-end': 'url(#dag-arrow)' }));
  }
  const buttons = new Map<string, HTMLButtonElement>();
  for (const node of nodes) {
    const at = graph.node(node.id) as Required<Point>;
    const button = h('button', {
      type: 'button', class: 'dag-node', 'data-node-id': node.id, 'data-status': 'idle', 'aria-pressed': 'false',
      style: `left:${at.x - nodeWidth / 2}px;top:${at.y - nodeHeight / 2}px;width:${nodeWidth}px;height:${nodeHeight}px`,
      onclick: () => onSelect(node.id),
    },
    h('span', { class: 'dag-node-name', title: node.name ?? node.id }, node.name ?? node.id),
    h('span', { class: 'dag-node-status' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'dag-node-label' }, node.name ? node.id : 'not run'),
      h('span', { class: 'dag-node-extra' }), h('span', { class: 'dag-node-type' }, node.type)));
    buttons.set(node.id, button);
    canvas.appendChild(button);
  }
  const fit = h('div', { class: 'dag-fit' }, canvas);
  const element = h('div', { class: 'dag-scroll', role: 'group', 'aria-label': 'Workflow graph' }, fit);
  // A wide graph shrinks to the card (down to a readable size), then scrolls.
  new ResizeObserver(() => {
    const scale = Math.max(minScale, Math.min(1, element.clientWidth / width));
    canvas.style.transform = scale < 1 ? `scale(${scale})` : '';
    fit.style.width = `${width * scale}px`;
    fit.style.height = `${height * scale}px`;
  }).observe(element);

  return {
    element,
    update(node) {
      const button = buttons.get(node.id);
      if (!button) return;
      button.dataset.status = node.status;
      button.querySelector('.dag-node-label')!.textContent = nodeLabel(node.status);
      const extra = node.status === 'running' && node.progress !== undefined ? progressText(node.progress)
        : node.attempts > 1 ? `attempt ${node.attempts}` : node.skippedBy === 'operator' ? 'by operator' : '';
      button.querySelector('.dag-node-extra')!.textContent = extra;
      button.setAttribute('aria-label', `${node.name ?? node.id}: ${nodeLabel(node.status)}${extra ? `, ${extra}` : ''}`);
      for (const path of edges.querySelectorAll<SVGPathElement>(`[data-from="${CSS.escape(node.id)}"]`)) path.dataset.fromStatus = node.status;
      for (const path of edges.querySelectorAll<SVGPathElement>(`[data-to="${CSS.escape(node.id)}"]`)) path.dataset.toStatus = node.status;
    },
    select(nodeId) {
      for (const [id, button] of buttons) button.setAttribute('aria-pressed', String(id === nodeId));
    },
  };
}
