import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * At most this many requests start per event-loop turn; the rest wait, in arrival order, for the
 * next turns. 4 came out best of 1, 4, 8 and 16 in trials whose figures were not kept (bench/README.md,
 * round 3): 1 costs an epoll round per request, 8 and more let the connection burst grow again.
 * Compare with bench/compare.mjs before changing it.
 */
export const REQUESTS_PER_TURN = 4;

/**
 * Turn-taking for request handlers. libuv accepts one new connection per event-loop turn, and a
 * turn lasts as long as it takes to answer every request that arrived on the connections already
 * accepted. With 64 connections opened at once, the last one waited until 63 turns, each longer
 * than the one before, had gone by: about c·k²/2 for a cost c per request (0.8 s here), which is
 * what wrk reports as its p99. Starting at most `perTurn` requests per turn and leaving the rest
 * for the next turns keeps every turn short, so new connections are accepted at a steady pace
 * while the admitted ones are answered in the order they asked. No request is dropped or
 * reordered; the total work is the same.
 */
export class RequestTurns {
  private readonly waiting: Array<() => void> = [];
  /** Requests started since the last turn boundary. */
  private started = 0;
  private boundaryScheduled = false;

  constructor(private readonly perTurn: number = REQUESTS_PER_TURN) {}

  /** Requests waiting for a later turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `work` now when this turn has room and nobody is waiting, otherwise in a later turn, in order. */
  run(work: () => void): void {
    this.scheduleBoundary();
    if (this.waiting.length === 0 && this.started < this.perTurn) {
      this.started += 1;
      work();
      return;
    }
    this.waiting.push(work);
  }

  /**
   * setImmediate callbacks run after the turn's I/O: a boundary scheduled during the I/O phase ends
   * this turn; one scheduled from a boundary runs in the next turn, after its I/O (new connections
   * accepted, new requests read).
   */
  private scheduleBoundary(): void {
    if (this.boundaryScheduled) return;
    this.boundaryScheduled = true;
    setImmediate(this.boundary);
  }

  private readonly boundary = (): void => {
    this.boundaryScheduled = false;
    this.started = 0;
    if (this.waiting.length === 0) return;
    // More wait: start this turn's share now and come back in the next turn for the rest.
    this.scheduleBoundary();
    while (this.waiting.length > 0 && this.started < this.perTurn) {
      this.started += 1;
      (this.waiting.shift() as () => void)();
    }
  };
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts `handler`, already listening for `server`'s requests, behind a RequestTurns. A request whose
 * connection closed while it waited is not started (its response is gone; nothing could be sent).
 */
export function serveInTurns(server: Server, handler: RequestHandler, turns = new RequestTurns()): RequestTurns {
  if (!server.listeners('request').includes(handler)) throw new Error('serveInTurns: the handler does not listen for requests');
  server.removeListener('request', handler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    turns.run(() => {
      if (!res.destroyed) handler(req, res);
    }),
  );
  return turns;
}
