import { defineQuery } from '@temporalio/workflow';
import type { RunEvent, RunState } from './state.js';

/** The run's current state. The API and the realtime bridge read runs through this query. */
export const stateQuery = defineQuery<RunState>('weft.state');

/** The run's events with a seq greater than the argument, in order: the source of truth for catch-up. */
export const eventsQuery = defineQuery<RunEvent[], [afterSeq: number]>('weft.events');

/** The interpreter's workflow type name, as the Web UI and `temporal workflow list` show it. */
export const interpreterWorkflowType = 'runTemplate';
