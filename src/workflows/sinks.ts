import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { RunEvent } from './state.js';

/**
 * The live path: events leave the worker as they happen, without adding history events. Sinks are not called
 * during replay, so a replayed event is never published twice; a subscriber that missed one catches up
 * through {@link eventsQuery}.
 */
export interface WeftSinks extends Sinks {
  events: {
    publish(runId: string, event: RunEvent): void;
  };
}

/** The workflow's handle on {@link WeftSinks}. */
export const sinks = proxySinks<WeftSinks>();
