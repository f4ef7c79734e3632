/**
 * Node types a `map` cannot run once per item: an approval waits on a person and a `map` or `subworkflow`
 * starts runs of its own, none of which an item's node can carry. A map runs a template per item for them.
 * Kept apart from the node type catalog so that workflow code can read it without loading the config schemas.
 */
export const notPerItemTypes: ReadonlySet<string> = new Set(['approval', 'map', 'subworkflow']);
