import type { HeadwayConfig } from '../../config/schema.js';
import {
  connectClient,
  explainTemporalError,
  type ConnectedClient,
} from '../../temporal/connection.js';
import { loadTemporalCommandConfig, type TemporalOptions } from '../temporal-options.js';

export type Flags = readonly (readonly [readonly string[], unknown])[];

export interface JsonOption {
  json?: boolean;
}

/**
 * Loads config, connects (failing fast when the server is down) and runs `fn`, turning SDK errors
 * into HeadwayErrors that name the workflow and the namespace.
 */
export async function withClient<T>(
  options: TemporalOptions,
  flags: Flags,
  workflowId: string | undefined,
  fn: (connected: ConnectedClient, config: HeadwayConfig) => Promise<T>,
): Promise<T> {
  const { config, connection } = loadTemporalCommandConfig(options, flags);
  const connected = await connectClient(connection);
  try {
    return await fn(connected, config);
  } catch (err) {
    throw await explainTemporalError(err, {
      connected,
      ...(workflowId === undefined ? {} : { workflowId }),
    });
  } finally {
    await connected.close();
  }
}
