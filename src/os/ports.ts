import { createServer } from 'node:net';

/** The address every server Headway starts listens on, and how this machine reaches it. */
export const LOOPBACK = '127.0.0.1';

/** True when nothing listens on 127.0.0.1:port (checked by binding it briefly). */
export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Returns `count` distinct free ports. All sockets stay open until every port is chosen, so the
 * same port is never handed out twice; another process could still take one before it is used.
 */
export async function findFreePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ port: 0, host }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
