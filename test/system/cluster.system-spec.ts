import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';

/** Child process ids of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return listed === '' ? [] : listed.split(' ').map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One GET on a fresh connection, so the cluster may hand each to another worker. */
function get(server: ServerProcess, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((done, fail) => {
    const req = request(`${server.url}${path}`, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** Starting four Node processes on a busy 2-core machine can take longer than Jest's default 5 s. */
const SLOW = 60_000;

describe('WORKERS: several processes behind one port (node:cluster)', () => {
  const root = new TempRoot();
  let bytes: Buffer;
  let server: ServerProcess;

  beforeAll(async () => {
    bytes = root.writeRandom('data.bin', 300_000);
    server = await ServerProcess.start({ FILES_ROOT: root.path, WORKERS: '3' });
  }, SLOW);

  afterAll(async () => {
    await server?.stop();
    root.cleanup();
  }, SLOW);

  it(
    'starts the number of workers asked for, each serving files and ranges correctly',
    async () => {
      const pid = server.child.pid as number;
      const deadline = Date.now() + 30_000;
      while (childrenOf(pid).length < 3 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      expect(childrenOf(pid)).toHaveLength(3);

      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => get(server, '/data.bin', i % 2 ? { Range: `bytes=${i * 1000}-${i * 1000 + 99}` } : {})),
      );
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(i % 2 ? 206 : 200);
        expect(answer.body.equals(i % 2 ? bytes.subarray(i * 1000, i * 1000 + 100) : bytes)).toBe(true);
      });
    },
    SLOW,
  );

  it(
    'stops every worker when the primary is told to stop',
    async () => {
      const workers = childrenOf(server.child.pid as number);
      expect(workers.length).toBeGreaterThan(0);
      await server.stop();
      expect(server.child.exitCode).toBe(0);
      const deadline = Date.now() + 10_000;
      while (workers.some(isAlive) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      expect(workers.filter(isAlive)).toEqual([]);
    },
    SLOW,
  );
});
