import { describe, expect, it } from 'vitest';

import type { TemporalConnectionConfig } from '../config/temporal.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { findFreePorts } from '../os/ports.js';

import { connectClient, explainWorkerStartError, redact } from './connection.js';

async function closedPort(): Promise<TemporalConnectionConfig> {
  const [port] = await findFreePorts(1);
  return {
    address: `127.0.0.1:${port}`,
    namespace: 'ns1',
    apiKey: 'key-123',
    tls: undefined,
    metadata: undefined,
    connectTimeoutMs: 1_000,
  };
}

describe('connectClient', () => {
  it('fails with TEMPORAL_UNAVAILABLE naming the address, within the connect timeout', async () => {
    const config = await closedPort();
    const started = Date.now();
    const err = await connectClient(config).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.TemporalUnavailable);
    expect((err as HeadwayError).message).toContain(
      `cannot reach Temporal at ${config.address} (namespace ns1)`,
    );
    expect((err as HeadwayError).hint).toContain('headway up');
  });
});

describe('explainWorkerStartError', () => {
  const config: TemporalConnectionConfig = {
    address: 'h:7233',
    namespace: 'ns1',
    apiKey: 'key-123',
    tls: true,
    metadata: undefined,
    connectTimeoutMs: 5_000,
  };

  it('recognises an unknown namespace and an unreachable server', () => {
    expect(explainWorkerStartError(new Error('Namespace ns1 is not found.'), config).code).toBe(
      ErrorCode.NamespaceNotFound,
    );
    const down = explainWorkerStartError(
      new Error(
        'tonic::transport::Error(Transport, ConnectError("tcp connect error", Connection refused))',
      ),
      config,
    );
    expect(down.code).toBe(ErrorCode.TemporalUnavailable);
    expect(down.message).toBe(
      'cannot reach Temporal at h:7233 (namespace ns1): connection refused',
    );
  });

  it('never shows the API key', () => {
    const err = explainWorkerStartError(new Error('bad credentials key-123 rejected'), config);
    expect(err.code).toBe(ErrorCode.TemporalRequestFailed);
    expect(err.details.join(' ')).toBe('bad credentials *** rejected');
    expect(redact('a key-123 b key-123', config)).toBe('a *** b ***');
    expect(redact('text', { apiKey: undefined })).toBe('text');
  });
});
