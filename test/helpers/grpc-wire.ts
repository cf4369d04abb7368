/**
 * A TCP proxy in front of a gRPC server that records what clients send, to check on the wire how
 * requests travel. Hand-written: a few lines of HTTP/2 framing, no library reads frames raw.
 */
import net from 'node:net';

export interface RecordingProxy {
  /** host:port for clients. */
  readonly address: string;
  /**
   * The compressed-flag byte of every gRPC message clients sent (0 plain, 1 compressed), read
   * from the HTTP/2 DATA frames (each message: a flag byte, a 4-byte length, the bytes).
   */
  readonly messageFlags: () => number[];
  readonly close: () => Promise<void>;
}

/** The HTTP/2 client connection preface, before the first frame. */
const PREFACE_BYTES = 24;
const FRAME_HEADER_BYTES = 9;
const DATA_FRAME = 0;
const PADDED = 0x8;
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

/** The flag byte of each gRPC message in one client→server HTTP/2 byte stream. */
function dataFlags(stream: Buffer): number[] {
  const flags: number[] = [];
  // Bytes of the current message still to come, per HTTP/2 stream: a message may span frames.
  const remaining = new Map<number, number>();
  for (let i = PREFACE_BYTES; i + FRAME_HEADER_BYTES <= stream.length;) {
    const length = stream.readUIntBE(i, 3);
    const payloadStart = i + FRAME_HEADER_BYTES;
    if (stream[i + 3] === DATA_FRAME) {
      const streamId = stream.readUInt32BE(i + 5) & 0x7fffffff;
      const padded = (stream[i + 4]! & PADDED) !== 0;
      const padding = padded ? stream[payloadStart]! : 0;
      let at = payloadStart + (padded ? 1 : 0);
      const end = payloadStart + length - padding;
      while (at < end) {
        const rest = remaining.get(streamId) ?? 0;
        if (rest > 0) {
          const taken = Math.min(rest, end - at);
          remaining.set(streamId, rest - taken);
          at += taken;
        } else {
          flags.push(stream[at]!);
          remaining.set(streamId, stream.readUInt32BE(at + 1));
          at += GRPC_PREFIX_BYTES;
        }
      }
    }
    i = payloadStart + length;
  }
  return flags;
}
