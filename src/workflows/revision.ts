import { patched } from '@temporalio/workflow';

/**
 * A behaviour change of the interpreter. Runs started before it must replay as they ran, so it is asked for
 * with {@link hasChange}: `id` is its `patched()` id, `revision` the interpreter revision that made it.
 */
export interface Change {
  readonly id: string;
  readonly revision: number;
}

/**
 * The interpreter's revision: the number of behaviour changes made so far, each of which names its own number
 * ({@link change}). A run records the revision it was started on in its input (`RunInput.revision`). A change
 * made after the last one raises this by one and gives itself the new number.
 */
export const latestRevision = 30;

/** The changes declared so far, by revision: two changes can never share a number. */
const declared = new Map<number, string>();

/**
 * Declares a behaviour change (see {@link Change}); each module declares the changes it makes. A revision another
 * change has is a programming error that fails every workflow at once: runs started before the new change, on
 * that revision, would replay with it. So is a revision past {@link latestRevision}: new runs would ask
 * `patched()` for it, and pay its marker, forever.
 */
export function change(id: string, revision: number): Change {
  if (!Number.isInteger(revision) || revision < 1 || revision > latestRevision) throw new Error(`change "${id}" has revision ${revision}; raise latestRevision (${latestRevision}) with each change`);
  const other = declared.get(revision);
  if (other !== undefined && other !== id) throw new Error(`changes "${other}" and "${id}" both have revision ${revision}`);
  declared.set(revision, id);
  return { id, revision };
}

/**
 * The revision the current run was started on; 0 for runs started before revisions, which ask `patched()` for
 * every change. Module state is the run's own: the sandbox gives each workflow its own instance of every module
 * it loads, except the bundle's preloaded modules (`sharedWorkflowModules`), which this one must never join.
 */
let runRevision = 0;

/** Sets the current run's revision from its input: the first thing every workflow function does. */
export function enterRevision(revision: number | undefined): void {
  runRevision = revision ?? 0;
}

/** The revision the current run was started on, for the input of the children it starts (which run on it too). */
export function currentRunRevision(): number | undefined {
  return runRevision === 0 ? undefined : runRevision;
}

/**
 * Whether the current run has a change. A run started on a revision that holds it has it without asking, so its
 * history carries no patch marker (nor the `TemporalChangeVersion` upsert that the SDK adds with each marker):
 * two history events, for every change a run meets, in every run. Other runs ask `patched()`: those started
 * before revisions, as they always did, and those started before the change, which replay without it.
 */
export function hasChange(c: Change): boolean {
  return c.revision <= runRevision || patched(c.id);
}
