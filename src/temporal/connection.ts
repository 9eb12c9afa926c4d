/**
 * Connections to Temporal from configuration: the local dev server, or any cluster or
 * Temporal Cloud (TLS, mutual TLS or an API key).
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { ERROR_CODES, PlaidSetupError } from '../errors';
import { dataConverterFor } from './codec/data-converter';

export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
}

function tlsOptions(config: Config): ConnectionOptions['tls'] {
  const tls = config.temporal.tls;
  if (!tls) return undefined;
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new PlaidSetupError(ERROR_CODES.CONFIG_INVALID, `${variable}: cannot read ${file}.`);
    }
  };
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caPath ? { serverRootCACertificate: read(tls.caPath, 'TEMPORAL_TLS_CA_PATH') } : {}),
    ...(tls.certPath && tls.keyPath
      ? { clientCertPair: { crt: read(tls.certPath, 'TEMPORAL_TLS_CERT_PATH'), key: read(tls.keyPath, 'TEMPORAL_TLS_KEY_PATH') } }
      : {}),
  };
}

function unreachable(address: string, err: unknown): PlaidSetupError {
  return new PlaidSetupError(
    ERROR_CODES.TEMPORAL_UNREACHABLE,
    `Cannot reach Temporal at ${address}. Start it with \`npm start\` (or \`plaid-setup dev\`), or set TEMPORAL_ADDRESS to a running cluster.`,
    { cause: err },
  );
}

export async function connectClient(config: Config): Promise<Client> {
  const address = temporalAddress(config);
  const tls = tlsOptions(config);
  try {
    const connection = await Connection.connect({
      address,
      ...(tls ? { tls } : {}),
      ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
      connectTimeout: '5s',
    });
    return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) });
  } catch (err) {
    throw unreachable(address, err);
  }
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  const address = temporalAddress(config);
  const tls = tlsOptions(config) as NativeConnectionOptions['tls'];
  try {
    return await NativeConnection.connect({
      address,
      ...(tls ? { tls } : {}),
      ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
    });
  } catch (err) {
    throw unreachable(address, err);
  }
}
