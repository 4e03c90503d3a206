import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import { connect, Socket, type AddressInfo } from 'node:net';
import { RequestTurns, serveInTurns } from './request-turns.js';

/**
 * Resolves right after the turn boundary that is due (immediates run in order: the boundary was
 * scheduled before this one), i.e. one turn later each time.
 */
const nextTurn = (): Promise<void> => new Promise((done) => setImmediate(done));

describe('RequestTurns', () => {
  it('starts at most perTurn requests in a turn and the rest in later turns, in arrival order', async () => {
    const turns = new RequestTurns(2);
    const started: number[] = [];
    for (let i = 1; i <= 7; i++) turns.run(() => started.push(i));
    expect(started).toEqual([1, 2]); // this turn's share, at once
    expect(turns.queued).toBe(5);
    await nextTurn(); // this turn's boundary starts the next share
    expect(started).toEqual([1, 2, 3, 4]);
    await nextTurn();
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    await nextTurn();
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(turns.queued).toBe(0);
  });

  it('lets a request that arrives while others wait queue behind them', async () => {
    const turns = new RequestTurns(1);
    const started: string[] = [];
    turns.run(() => started.push('a'));
    turns.run(() => started.push('b'));
    turns.run(() => started.push('c'));
    await nextTurn();
    turns.run(() => started.push('late')); // 'c' still waits: 'late' goes after it, even with room
    expect(started).toEqual(['a', 'b']);
    await nextTurn();
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'late']);
  });

  it('gives every new turn its full share again', async () => {
    const turns = new RequestTurns(3);
    const started: number[] = [];
    for (let i = 0; i < 3; i++) turns.run(() => started.push(i));
    await nextTurn();
    for (let i = 3; i < 6; i++) turns.run(() => started.push(i));
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('serveInTurns', () => {
  const request = new IncomingMessage(new Socket());
  const response = (destroyed: boolean): ServerResponse => {
    const res = new ServerResponse(request);
    if (destroyed) res.destroy();
    return res;
  };

  it('moves the handler behind the turns and skips a request whose connection is gone by its turn', async () => {
    const server = createServer();
    const handled: ServerResponse[] = [];
    const handler = (_req: IncomingMessage, res: ServerResponse): void => void handled.push(res);
    server.on('request', handler);
    serveInTurns(server, handler, new RequestTurns(1));
    expect(server.listeners('request')).not.toContain(handler);
    const [first, gone, third] = [response(false), response(true), response(false)];
    for (const res of [first, gone, third]) server.emit('request', request, res);
    await nextTurn();
    await nextTurn();
    expect(handled).toEqual([first, third]);
  });

  it('refuses a handler that is not listening', () => {
    const server = createServer();
    expect(() => serveInTurns(server, () => undefined)).toThrow('does not listen');
  });
});

describe('serveInTurns on a real socket', () => {
  /** Records the most requests that ever waited for a later turn. */
  class WatchedTurns extends RequestTurns {
    mostQueued = 0;
    override run(work: () => void): void {
      super.run(work);
      this.mostQueued = Math.max(this.mostQueued, this.queued);
    }
  }

  let server: Server;
  let port: number;
  let turns: WatchedTurns;
  let long: ServerResponse | undefined;

  beforeAll(async () => {
    server = createServer();
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      if (req.url === '/long') {
        // A download that takes its time: it keeps streaming after its turn is over.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('started;');
        long = res;
        return;
      }
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => res.end(`${length} ${hash.digest('hex')}`));
    };
    server.on('request', handler);
    turns = new WatchedTurns(1);
    serveInTurns(server, handler, turns);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    long?.end();
    await new Promise((done) => server.close(done));
  });

  /** Connected sockets, each already accepted by the server (libuv accepts one per turn). */
  async function connections(count: number): Promise<Socket[]> {
    let accepted = 0;
    const all = new Promise<void>((done) => {
      const onConnection = (): void => {
        if (++accepted < count) return;
        server.off('connection', onConnection);
        done();
      };
      server.on('connection', onConnection);
    });
    const sockets = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<Socket>((done) => {
            const socket: Socket = connect(port, '127.0.0.1', () => done(socket));
          }),
      ),
    );
    await all;
    return sockets;
  }

  function responseOf(socket: Socket): Promise<string> {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    return new Promise((done, fail) => {
      socket.on('error', fail);
      socket.on('end', () => done(Buffer.concat(chunks).toString('latin1')));
    });
  }

  it('a request that waited for its turn reads its whole streamed body, and a long response holds no turn', async () => {
    const [longSocket, ...uploadSockets] = await connections(5);
    const bodies = uploadSockets.map(() => randomBytes(256 * 1024));
    const longChunks: Buffer[] = [];
    longSocket.on('data', (chunk: Buffer) => longChunks.push(chunk));
    const answers = uploadSockets.map(responseOf);
    // All five requests are written in this turn, so the server reads them in one poll: one starts,
    // the others wait for later turns while their bodies arrive.
    longSocket.write('GET /long HTTP/1.1\r\nHost: x\r\n\r\n');
    uploadSockets.forEach((socket, i) => {
      socket.write(`PATCH /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${bodies[i].length}\r\n\r\n`);
      socket.write(bodies[i]);
    });

    const received = await Promise.all(answers);
    expect(turns.mostQueued).toBeGreaterThan(0); // some did wait: the case under test happened
    received.forEach((response, i) => {
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(response.endsWith(`\r\n\r\n${bodies[i].length} ${createHash('sha256').update(bodies[i]).digest('hex')}`)).toBe(true);
    });
    // The long response was started first and is still open: it never held up the others.
    expect(long?.writableEnded).toBe(false);
    expect(Buffer.concat(longChunks).toString('latin1')).toMatch(/\r\nstarted;\r\n$/);
    longSocket.destroy();
  });
});
