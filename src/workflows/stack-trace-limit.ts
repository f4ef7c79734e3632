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

/**
 * With no frames to record, the SDK's promise hook still does its other work for every promise made in the
 * sandbox: it finds the promise's workflow by compiling a function from source (`promise.constructor.constructor`,
 * the sandbox's `Function`), twice as the promise is made and once as it settles, and files an empty stack for
 * it. JSONata makes several promises for each step of an expression, so a transform over a few thousand items
 * spent most of its time there, about eight times as long as without (sdk-typescript issue 1587). The hook
 * reaches the sandbox's `Function` through `Promise.constructor`; answering it here with a function that finds
 * no workflow makes the hook return at once. Nothing else reads `Promise.constructor`: it is `Function`
 * inherited, not a property of promises.
 */
Object.defineProperty(Promise, 'constructor', { value: () => () => undefined, enumerable: false });
