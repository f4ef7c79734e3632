import type { Template } from './model.js';
import { looseNodes, type LooseNode } from './loose.js';
import type { PathProblem } from './problems.js';

/** A graph problem, with the path as keys (formatted by the caller). */
export type GraphProblem = PathProblem;

/**
 * Checks the DAG: unique node ids, `needs` that name existing nodes, and no cycles (a cycle is named in full,
 * `a → b → c → a`).
 */
export function checkGraph(template: Template): GraphProblem[] {
  return checkNodeGraph(looseNodes(template));
}

/** {@link checkGraph} on nodes that may not have passed the schema. */
export function checkNodeGraph(nodes: readonly LooseNode[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const index = new Map<string, number>();
  for (const node of nodes) {
    if (node.id === undefined) continue;
    if (index.has(node.id)) problems.push({ path: ['nodes', node.index, 'id'], message: `duplicate node id "${node.id}" (first used by nodes[${index.get(node.id)}])` });
    else index.set(node.id, node.index);
  }
  for (const node of nodes) {
    for (const need of node.needs) {
      const path = ['nodes', node.index, 'needs', need.at];
      if (!index.has(need.id)) problems.push({ path, message: `"${need.id}" is not a node of this template` });
      else if (need.id === node.id) problems.push({ path, message: `node "${node.id}" cannot need itself` });
    }
  }
  const cycle = findNodeCycle(nodes);
  if (cycle) problems.push({ path: ['nodes', index.get(cycle[0]!) ?? 0, 'needs'], message: `the nodes form a cycle: ${cycle.join(' → ')}` });
  return problems;
}

function needsById(nodes: readonly LooseNode[]): Map<string, string[]> {
  const needs = new Map<string, string[]>();
  for (const node of nodes) {
    if (node.id !== undefined && !needs.has(node.id)) needs.set(node.id, node.needs.map((n) => n.id).filter((id) => id !== node.id));
  }
  return needs;
}

/** The first cycle found, as a closed walk of node ids, or undefined. */
export function findCycle(template: Template): string[] | undefined {
  return findNodeCycle(looseNodes(template));
}

function findNodeCycle(nodes: readonly LooseNode[]): string[] | undefined {
  const needs = needsById(nodes);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of needs.get(id) ?? []) {
      if (!needs.has(next)) continue;
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of needs.keys()) {
    const found = visit(id);
    if (found) return found.reverse();
  }
  return undefined;
}

/**
 * For each node id, the ids of every node upstream of it (reachable through `needs`, transitively). Tolerates
 * cycles and unknown needs, which are reported elsewhere.
 */
export function upstreamNodes(nodes: readonly LooseNode[]): Map<string, Set<string>> {
  const needs = needsById(nodes);
  const upstream = new Map<string, Set<string>>();
  for (const id of needs.keys()) {
    const seen = new Set<string>();
    const pending = [...(needs.get(id) ?? [])];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next) || !needs.has(next)) continue;
      seen.add(next);
      pending.push(...(needs.get(next) ?? []));
    }
    upstream.set(id, seen);
  }
  return upstream;
}
