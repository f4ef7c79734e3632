import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** The ids of the patches whose markers a history holds. */
export function patchesIn(history: History): Set<string> {
  const ids = new Set<string>();
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    for (const payload of marker.details?.['patch-data']?.payloads ?? []) {
      if (payload.data) ids.add((JSON.parse(Buffer.from(payload.data).toString('utf8')) as { id: string }).id);
    }
  }
  return ids;
}

/** The search attributes a history's upserts set, in order, by name (`WeftStatus`, `TemporalChangeVersion`). */
export function upsertedAttributes(history: History): string[] {
  return (history.events ?? []).flatMap((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
}
