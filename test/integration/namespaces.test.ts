import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freshNamespace } from '../../src/bench/run-benchmark.js';
import { ErrorCode, HeadwayError } from '../../src/errors.js';
import { ensureNamespace } from '../../src/temporal/namespaces.js';
import { startDevServer, type DevServer } from '../helpers/dev-server.js';

let server: DevServer;
let connection: Connection;
beforeAll(async () => {
  server = await startDevServer();
  connection = await Connection.connect({ address: server.address });
});
afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

type Call = readonly [method: string, outcome: 'ok' | number];

/**
 * The real connection, recording each call's method and gRPC outcome; `refuseRegister` makes
 * RegisterNamespace fail as a hosted service refuses a key that may not register (none here).
 */
function recording(refuseRegister = false): { connection: Connection; calls: Call[] } {
  const calls: Call[] = [];
  const real = connection.workflowService;
  const workflowService = new Proxy(real, {
    get(target, method: string) {
      const fn = Reflect.get(target, method) as unknown;
      if (typeof fn !== 'function') return fn;
      return async (request: unknown) => {
        try {
          if (refuseRegister && method === 'registerNamespace') {
            throw Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized'), {
              code: 7,
            });
          }
          const answer: unknown = await (fn as (r: unknown) => Promise<unknown>).call(
            target,
            request,
          );
          calls.push([method, 'ok']);
          return answer;
        } catch (err) {
          calls.push([method, (err as { code: number }).code]);
          throw err;
        }
      };
    },
  });
  return { connection: { workflowService } as unknown as Connection, calls };
}

const options = { description: 'test', readinessTaskQueue: 'namespaces-test-readiness' };

describe('ensureNamespace against a real dev server', () => {
  it('registers a new namespace before anyone asks about it, so it is served at the first check', async () => {
    // Asked about first, the server remembers "not found" for about a second and does not serve
    // the namespace until it forgets: the readiness check failed for 0.9–1.0 s.
    const r = recording();
    const progress: string[] = [];
    const name = freshNamespace();
    expect(await ensureNamespace(r.connection, name, (m) => progress.push(m), options)).toBe(
      'created',
    );
    expect(r.calls).toEqual([
      ['registerNamespace', 'ok'],
      ['describeNamespace', 'ok'],
      ['describeTaskQueue', 'ok'],
    ]);
    expect(progress).toEqual([`registered namespace ${name}`]);
  });

  it('leaves an existing namespace as it is', async () => {
    const r = recording();
    const progress: string[] = [];
    expect(await ensureNamespace(r.connection, 'default', (m) => progress.push(m), options)).toBe(
      'existing',
    );
    expect(r.calls).toEqual([['registerNamespace', 6]]);
    expect(progress).toEqual([]);
  });

  it('where registering is refused (a hosted service’s refusal, simulated), an existing namespace is fine and a missing one is an error naming it', async () => {
    const existing = recording(true);
    expect(await ensureNamespace(existing.connection, 'default', () => undefined, options)).toBe(
      'existing',
    );
    expect(existing.calls).toEqual([
      ['registerNamespace', 7],
      ['describeNamespace', 'ok'],
    ]);

    const missing = recording(true);
    const name = freshNamespace();
    const err: unknown = await ensureNamespace(
      missing.connection,
      name,
      () => undefined,
      options,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadwayError);
    expect((err as HeadwayError).code).toBe(ErrorCode.TemporalRequestFailed);
    expect((err as HeadwayError).message).toBe(`cannot register namespace ${name}`);
    expect((err as HeadwayError).details.join('\n')).toContain('Request unauthorized');
  });
});
