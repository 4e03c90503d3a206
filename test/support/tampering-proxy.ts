import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to one response. */
export interface Tampering {
  /** Send this many body bytes, then cut the connection (a dropped download). */
  cutAfterBytes?: number;
  /** Flip the bits of the body byte at this offset (corruption on the way). */
  flipByteAt?: number;
  /** Replace response headers (a server or middlebox that lies). */
  setHeaders?: Record<string, string>;
  /** Send all of the body but its last `finish.tailBytes`, and the rest only when `finish` comes. */
  holdTailFor?: PhotoFinish;
  /** Answer nothing: close the connection when `finish` comes. */
  dropAt?: PhotoFinish;
  /** Pass the body on at about this many bytes per second (a slow link). */
  bytesPerSecond?: number;
}

/**
 * A photo finish, for races in a client between connections that end and connections that break.
 * The responses that hold their tail for it send all but the last bytes of their bodies and wait;
 * the requests dropped at it wait unanswered. Once `parties` are waiting, and `settleMs` more (time
 * for the client to read all it was sent), the proxy, in one go, sends the held tails and then
 * closes the dropped connections: the client receives the ends of those bodies and, right behind
 * them, the broken connections.
 */
export class PhotoFinish {
  private readonly tails: Array<() => void> = [];
  private readonly drops: Array<() => void> = [];

  constructor(
    private readonly parties: number,
    readonly tailBytes = 1000,
    private readonly settleMs = 200,
  ) {}

  hold(sendTail: () => void): void {
    this.tails.push(sendTail);
    this.check();
  }

  drop(close: () => void): void {
    this.drops.push(close);
    this.check();
  }

  private check(): void {
    if (this.tails.length + this.drops.length !== this.parties) return;
    setTimeout(() => {
      for (const sendTail of this.tails) sendTail();
      for (const close of this.drops) close();
    }, this.settleMs);
  }
}

export interface SeenRequest {
  method: string;
  headers: IncomingHttpHeaders;
}

/**
 * A loopback HTTP proxy in front of the service that can break or falsify responses, so the
 * client's failure handling is tested against real sockets. `plan(index, request)` decides, per
 * request (counted from 0), what to do.
 */
export class TamperingProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Every request that reached the proxy, in order. */
    readonly seen: readonly SeenRequest[],
  ) {}

  static async start(upstreamPort: number, plan: (index: number, request: SeenRequest) => Tampering = () => ({})): Promise<TamperingProxy> {
    const seen: SeenRequest[] = [];
    const server = createServer((req, res) => {
      const request = { method: req.method ?? 'GET', headers: req.headers };
      const tampering = plan(seen.length, request);
      seen.push(request);
      const drop = tampering.dropAt;
      if (drop !== undefined) {
        req.resume();
        drop.drop(() => res.destroy());
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          for (const [name, value] of Object.entries(tampering.setHeaders ?? {})) headers[name.toLowerCase()] = value;
          res.writeHead(answer.statusCode ?? 502, headers);
          let offset = 0;
          const finish = tampering.holdTailFor;
          // The headers go first, on their own, as from a real server that is still reading the file.
          if (finish !== undefined) res.flushHeaders();
          const holdFrom = finish === undefined ? Infinity : Number(answer.headers['content-length'] ?? 0) - finish.tailBytes;
          const held: Buffer[] = [];
          let flushed = Promise.resolve();
          answer.on('data', (chunk: Buffer) => {
            let bytes = chunk;
            const flip = tampering.flipByteAt;
            if (flip !== undefined && flip >= offset && flip < offset + bytes.length) {
              bytes = Buffer.from(bytes);
              bytes[flip - offset] ^= 0xff;
            }
            const cut = tampering.cutAfterBytes;
            if (cut !== undefined && offset + bytes.length >= cut) {
              res.write(bytes.subarray(0, cut - offset), () => res.destroy());
              answer.destroy();
              offset = cut;
              return;
            }
            if (offset + bytes.length > holdFrom) {
              const keep = Math.max(0, holdFrom - offset);
              held.push(bytes.subarray(keep));
              offset += bytes.length;
              bytes = bytes.subarray(0, keep);
            } else offset += bytes.length;
            if (bytes.length > 0) {
              const sending = bytes;
              flushed = new Promise((written) => res.write(sending, () => written()));
            }
            const rate = tampering.bytesPerSecond;
            if (rate !== undefined && bytes.length > 0) {
              answer.pause();
              setTimeout(() => answer.resume(), (bytes.length / rate) * 1000);
            }
          });
          answer.on('end', () => {
            if (finish === undefined) res.end();
            // Only once the rest has reached the socket, so that the tail goes out in one write.
            else void flushed.then(() => finish.hold(() => res.end(Buffer.concat(held))));
          });
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TamperingProxy(server, (server.address() as AddressInfo).port, seen);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
