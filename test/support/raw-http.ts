import { get, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends a request line exactly as written (no client-side normalisation of `..` or `%2e`), then
 * reads until the server closes the connection.
 */
export function rawRequest(port: number, requestLine: string, headers: string[] = []): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error: unknown) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(`${requestLine}\r\nHost: localhost\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`no HTTP response: ${raw.toString('latin1').slice(0, 200)}`);
  const [statusLine, ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.subarray(split + 4) };
}

export interface Download {
  status: number;
  headers: IncomingHttpHeaders;
  /** What was read: the whole body, or the first `stopAfter` bytes or more when the test hung up. */
  body: Buffer;
  /** False when the test hung up before the end (an interrupted download). */
  complete: boolean;
}

export interface DownloadOptions {
  headers?: Record<string, string>;
  /** Hang up once this many body bytes have arrived (the client that goes away mid-download). */
  stopAfter?: number;
}

/**
 * One GET on a fresh connection (no keep-alive pool, so a cluster or a load balancer may hand each
 * to another process), read as raw bytes. Resolves once the body has ended or the test hung up.
 */
export function download(url: string, { headers = {}, stopAfter = Infinity }: DownloadOptions = {}): Promise<Download> {
  return new Promise((done, fail) => {
    const request = get(url, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const answer = (complete: boolean): Download => ({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
        complete,
      });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= stopAfter) {
          request.destroy(); // the interrupted download
          done(answer(false));
        }
      });
      res.on('end', () => done(answer(true)));
    });
    // A reset after the test itself hung up is expected; anything else fails the request.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' && request.destroyed ? undefined : fail(error)));
  });
}
