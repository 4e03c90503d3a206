import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
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
