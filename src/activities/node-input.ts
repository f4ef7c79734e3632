/** What every node activity receives: the node, and its config with the run's expressions evaluated. */
export interface NodeActivityInput<Config = unknown> {
  runId: string;
  nodeId: string;
  config: Config;
}
