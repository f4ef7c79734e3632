import type { Template } from './model.js';

/** A graph problem, with the path as keys (formatted by the caller). */
export interface GraphProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Checks the DAG: unique node ids, `needs` that name existing nodes, and no cycles (a cycle is named in full,
 * `a → b → c → a`).
 */
export function checkGraph(template: Template): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const index = new Map<string, number>();
  template.nodes.forEach((node, i) => {
    if (index.has(node.id)) problems.push({ path: ['nodes', i, 'id'], message: `duplicate node id "${node.id}" (first used by nodes[${index.get(node.id)}])` });
    else index.set(node.id, i);
  });
  template.nodes.forEach((node, i) => {
    node.needs?.forEach((need, j) => {
      if (!index.has(need)) problems.push({ path: ['nodes', i, 'needs', j], message: `"${need}" is not a node of this template` });
      else if (need === node.id) problems.push({ path: ['nodes', i, 'needs', j], message: `node "${node.id}" cannot need itself` });
    });
  });
  const cycle = findCycle(template);
  if (cycle) problems.push({ path: ['nodes', index.get(cycle[0]!) ?? 0, 'needs'], message: `the nodes form a cycle: ${cycle.join(' → ')}` });
  return problems;
}

/** The first cycle found, as a closed walk of node ids, or undefined. */
export function findCycle(template: Template): string[] | undefined {
  const needs = new Map(template.nodes.map((n) => [n.id, (n.needs ?? []).filter((x) => x !== n.id)]));
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
  for (const node of template.nodes) {
    const found = visit(node.id);
    if (found) return found.reverse();
  }
  return undefined;
}
