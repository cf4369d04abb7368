/**
 * A TCP proxy in front of a gRPC server that records what clients send, to check on the wire how
 * requests travel. Hand-written: a few lines of HTTP/2 framing, no library reads frames raw.
 */
import net from 'node:net';

export interface RecordingProxy {
  /** host:port for clients. */
  readonly address: string;
  /**
   * The compressed-flag byte of every gRPC message clients sent (0 plain, 1 compressed): the
   * first byte of each HTTP/2 DATA frame that starts a message.
   */
  readonly messageFlags: () => number[];
  readonly close: () => Promise<void>;
}

/** The HTTP/2 client connection preface, before the first frame. */
const PREFACE_BYTES = 24;
const FRAME_HEADER_BYTES = 9;
const DATA_FRAME = 0;
/** A gRPC message starts with a flag byte and a 4-byte length. */
const GRPC_PREFIX_BYTES = 5;

export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const [host, port] = target.split(':');
  const connections: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const chunks: Buffer[] = [];
    connections.push(chunks);
    const upstream = net.connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${own}`,
    messageFlags: () => connections.flatMap((chunks) => dataFlags(Buffer.concat(chunks))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function dataFlags(stream: Buffer): number[] {
  const flags: number[] = [];
  for (let i = PREFACE_BYTES; i + FRAME_HEADER_BYTES <= stream.length;) {
    const length = stream.readUIntBE(i, 3);
    const type = stream[i + 3];
    if (type === DATA_FRAME && length >= GRPC_PREFIX_BYTES)
      flags.push(stream[i + FRAME_HEADER_BYTES]!);
    i += FRAME_HEADER_BYTES + length;
  }
  return flags;
}
