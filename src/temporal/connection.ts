import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { WeftConfig } from '../config.js';

/** An open Temporal client with the namespace and task queue Weft uses. */
export interface TemporalHandle {
  client: Client;
  connection: Connection;
  namespace: string;
  taskQueue: string;
  close(): Promise<void>;
}

/** The TLS options of a connection (client or worker) from Weft's configuration; undefined for plain text. */
export function tlsOptions(config: WeftConfig['temporal']) {
  if (!config.tls) return undefined;
  return {
    serverNameOverride: config.tls.serverName,
    serverRootCACertificate: config.tls.caPath ? readFileSync(config.tls.caPath) : undefined,
    clientCertPair: config.tls.certPath && config.tls.keyPath ? { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) } : undefined,
  };
}

/** Connects to Temporal at `address`, with TLS or an API key when the configuration asks for them. */
export async function connectTemporal(address: string, namespace: string, config: WeftConfig['temporal']): Promise<TemporalHandle> {
  const connection = await Connection.connect({ address, tls: tlsOptions(config), apiKey: config.apiKey });
  const client = new Client({ connection, namespace });
  return { client, connection, namespace, taskQueue: config.taskQueue, close: () => connection.close() };
}
