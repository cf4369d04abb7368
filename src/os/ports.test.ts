import { afterEach, describe, expect, it } from 'vitest';

import { portHolders } from '../../test/helpers/listeners.js';

import { findFreePorts, isPortFree } from './ports.js';

const { listen, close, closeAll } = portHolders();

afterEach(async () => {
  await closeAll();
});

describe('isPortFree', () => {
  it('is false while something listens and true after it closes', async () => {
    const { server, port } = await listen();
    expect(await isPortFree(port)).toBe(false);
    await close(server);
    expect(await isPortFree(port)).toBe(true);
  });

  it('leaves the port free after checking it', async () => {
    const [port] = await findFreePorts(1);
    if (port === undefined) throw new Error('no port');
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortFree(port)).toBe(true);
  });
});

describe('findFreePorts', () => {
  it('returns distinct ports that are free', async () => {
    const ports = await findFreePorts(5);
    expect(ports).toHaveLength(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      expect(Number.isInteger(port)).toBe(true);
      expect(port).toBeGreaterThan(0);
      expect(await isPortFree(port)).toBe(true);
    }
  });
});
