import { afterEach, describe, expect, it } from 'vitest';

import { portHolders } from '../../test/helpers/listeners.js';

import { ErrorCode, HeadwayError } from '../errors.js';
import { findFreePorts } from '../os/ports.js';

import { assertPortsFree } from './ports.js';

const { listen, closeAll } = portHolders();

afterEach(async () => {
  await closeAll();
});

describe('assertPortsFree', () => {
  it('names every busy port in one PORT_IN_USE error', async () => {
    const a = await listen();
    const b = await listen();
    const [free] = await findFreePorts(1);
    if (free === undefined) throw new Error('no port');
    const err = await assertPortsFree([
      ['temporal-monitored gRPC', a.port],
      ['prometheus', free],
      ['temporal-copilot UI', b.port],
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeadwayError);
    const e = err as HeadwayError;
    expect(e.code).toBe(ErrorCode.PortInUse);
    expect(e.message).toBe('2 ports Headway needs are in use');
    expect(e.details).toEqual([
      `temporal-monitored gRPC: 127.0.0.1:${a.port} is in use`,
      `temporal-copilot UI: 127.0.0.1:${b.port} is in use`,
    ]);
    expect(e.hint).toBeDefined();
  });

  it('uses the singular for one busy port, and passes when all are free', async () => {
    const a = await listen();
    await expect(assertPortsFree([['prometheus', a.port]])).rejects.toThrow(
      'a port Headway needs is in use',
    );
    const free = await findFreePorts(2);
    await expect(
      assertPortsFree(free.map((p, i) => [`svc${i}`, p] as const)),
    ).resolves.toBeUndefined();
  });
});
