/** What every node activity receives: the node, and its config with the run's expressions evaluated. */
export interface NodeActivityInput<Config = unknown> {
  runId: string;
  nodeId: string;
  config: Config;
  /** The seq of the node's `node.started` event: live progress events follow it (see `NodeProgress`). */
  seq?: number;
  /** For a map's per-item node: the item's index; its live progress names it and numbers in a range of its own. */
  item?: number;
  /** An output whose JSON is larger than this is stored as a blob: `blobThresholdBytes` unless given (map items give less). */
  storeAbove?: number;
}

/** What a node activity answers: the node's output and the Temporal attempt that produced it. */
export interface NodeActivityResult {
  output: unknown;
  attempt: number;
}
