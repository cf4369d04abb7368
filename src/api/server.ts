import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { getRequestListener } from '@hono/node-server';

import { ErrorCode, HeadwayError } from '../errors.js';

import { createApiApp, type ApiDeps } from './app.js';

export interface ListenOptions {
  readonly host: string;
  /** 0 picks a free port; the real one is in the returned `url`. */
  readonly port: number;
}

export interface ApiServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, closes idle keep-alive ones, and resolves when all are closed. */
  close(): Promise<void>;
}

/** How long `close` lets in-flight requests finish before it drops their connections. */
const CLOSE_GRACE_MS = 5_000;

/** Serves `createApiApp(deps)` on host:port. Rejects with PORT_IN_USE when the port is taken. */
export async function startApiServer(deps: ApiDeps, listen: ListenOptions): Promise<ApiServer> {
  const app = createApiApp(deps);
  const listener = getRequestListener(app.fetch);
  // The adaptor answers every request itself, errors included; nothing is left to await here.
  const server = createServer((req, res) => {
    void listener(req, res);
  });
  // Slow or idle clients must not hold sockets forever on a long-running process.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(listenError(err, listen));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(listen.port, listen.host);
  });
  server.on('error', (err) => {
    deps.logger?.error({ error: err.message }, 'API server error');
  });

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${String(address.port)}`,
    port: address.port,
    close: () => closeServer(server),
  };
}

function listenError(err: NodeJS.ErrnoException, listen: ListenOptions): HeadwayError {
  if (err.code === 'EADDRINUSE') {
    return new HeadwayError(
      ErrorCode.PortInUse,
      `port ${String(listen.port)} on ${listen.host} is already in use`,
      {
        hint: 'stop whatever listens there, or set copilot.api.port (HEADWAY_API_PORT) to a free port',
        cause: err,
      },
    );
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EACCES') {
    return new HeadwayError(
      ErrorCode.ConfigInvalid,
      `cannot listen on ${listen.host}:${String(listen.port)} (${err.code})`,
      {
        hint: 'check copilot.api.host and copilot.api.port (HEADWAY_API_HOST, HEADWAY_API_PORT)',
        cause: err,
      },
    );
  }
  return new HeadwayError(
    ErrorCode.Internal,
    `cannot listen on ${listen.host}:${String(listen.port)}: ${err.message}`,
    { cause: err },
  );
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    force.unref();
    server.close((err) => {
      clearTimeout(force);
      if (err === undefined) resolve();
      else reject(err);
    });
    server.closeIdleConnections();
  });
}
