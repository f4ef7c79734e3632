import type { NodeTypeDefinition } from './define.js';
import { approvalNode } from './approval.js';
import { delayNode } from './delay.js';
import { httpNode } from './http.js';
import { mapNode } from './map.js';
import { subworkflowNode } from './subworkflow.js';
import { transformNode } from './transform.js';

export type { NodeTypeDefinition } from './define.js';

/** Every node type the template language knows, by name. Adding a node type means adding it here. */
export const nodeTypes: Readonly<Record<string, NodeTypeDefinition>> = Object.freeze({
  [httpNode.type]: httpNode as NodeTypeDefinition,
  [transformNode.type]: transformNode as NodeTypeDefinition,
  [delayNode.type]: delayNode as NodeTypeDefinition,
  [approvalNode.type]: approvalNode as NodeTypeDefinition,
  [mapNode.type]: mapNode as NodeTypeDefinition,
  [subworkflowNode.type]: subworkflowNode as NodeTypeDefinition,
});

/** The definition of a node type, or undefined; safe for any string (no prototype lookups). */
export function nodeType(type: string): NodeTypeDefinition | undefined {
  return Object.hasOwn(nodeTypes, type) ? nodeTypes[type] : undefined;
}
