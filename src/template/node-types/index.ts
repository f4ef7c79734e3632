import type { NodeTypeDefinition } from './define.js';
import { httpNode } from './http.js';
import { transformNode } from './transform.js';

export type { NodeTypeDefinition } from './define.js';

/** Every node type the template language knows, by name. Adding a node type means adding it here. */
export const nodeTypes: Readonly<Record<string, NodeTypeDefinition>> = Object.freeze({
  [httpNode.type]: httpNode as NodeTypeDefinition,
  [transformNode.type]: transformNode as NodeTypeDefinition,
});
