/**
 * Turns stack traces off in the workflow sandbox. The worker preloads this module (see `workflowBundleOptions`
 * in `src/temporal/worker.ts`) unless `WEFT_WORKFLOW_STACK_TRACES` is set, so it runs once per workflow thread,
 * before the SDK freezes the sandbox's globals; the worker's own code keeps its stack traces.
 *
 * Why: the SDK records a stack trace for every promise a workflow makes, for the Web UI's Stack Trace tab,
 * mapping each of its frames through the bundle's source map. That was a fifth of a run's workflow-task time,
 * and the frames are the interpreter's, which tell a template's author nothing: the Web UI's current details
 * and activity summaries say where a run is. Errors thrown in the sandbox keep their messages; only the place
 * in Weft's workflow code is left out.
 */
Error.stackTraceLimit = 0;
