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

/** Connects to Temporal at `address`, with TLS or an API key when the configuration asks for them. */
export async function connectTemporal(address: string, namespace: string, config: WeftConfig['temporal']): Promise<TemporalHandle> {
  const tls = config.tls
    ? {
        serverNameOverride: config.tls.serverName,
        serverRootCACertificate: config.tls.caPath ? readFileSync(config.tls.caPath) : undefined,
        clientCertPair: config.tls.certPath && config.tls.keyPath ? { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) } : undefined,
      }
    : undefined;
  const connection = await Connection.connect({ address, tls, apiKey: config.apiKey });
  const client = new Client({ connection, namespace });
  return { client, connection, namespace, taskQueue: config.taskQueue, close: () => connection.close() };
}
