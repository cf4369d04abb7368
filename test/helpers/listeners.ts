import { createServer, type AddressInfo, type Server } from 'node:net';

/** Real TCP listeners on loopback that hold a port, closed by `closeAll` (call it in afterEach). */
export function portHolders() {
  const servers: Server[] = [];
  const close = (server: Server): Promise<void> => {
    if (!server.listening) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return {
    listen: async (): Promise<{ server: Server; port: number }> => {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, port: (server.address() as AddressInfo).port };
    },
    close,
    closeAll: () => Promise.all(servers.splice(0).map((s) => close(s))),
  };
}
