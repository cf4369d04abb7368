import { createServer, type AddressInfo, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { findFreePorts, isPortFree } from './ports.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => close(s)));
});

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function close(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

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
