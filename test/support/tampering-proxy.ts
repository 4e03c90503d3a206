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
      const upstream = httpRequest(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          for (const [name, value] of Object.entries(tampering.setHeaders ?? {})) headers[name.toLowerCase()] = value;
          res.writeHead(answer.statusCode ?? 502, headers);
          let offset = 0;
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
            offset += bytes.length;
            res.write(bytes);
          });
          answer.on('end', () => res.end());
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
