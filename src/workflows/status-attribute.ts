import { upsertSearchAttributes } from '@temporalio/workflow';
import { change, hasChange } from './revision.js';
import { searchAttributes } from './search-attributes.js';
import type { RunStatus } from './state.js';

/**
 * Since this patch `WeftStatus` follows the run while it is open (`pausing`, `paused`, `waiting_for_operator`,
 * back to `running`), so the Web UI and visibility queries find paused and held runs. Before it, the attribute
 * only moved at the close. The patch is asked for at a run's first status move, so a run that never pauses
 * pays nothing for it: no marker, no upsert.
 */
export const statusAttributePatch = change('weft-status-attribute', 3);

/** Shows an open run's new status in its `WeftStatus` search attribute (runs started before the patch keep theirs). */
export function showOpenStatus(status: RunStatus): void {
  if (hasChange(statusAttributePatch)) upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
}
