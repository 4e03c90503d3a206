import { readFileSync } from 'node:fs';
import { reprDigestField, TempRoot } from '../support/fixtures.js';
import { total } from '../support/metrics.js';
import { download } from '../support/raw-http.js';
import { ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

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

/** Starting four Node processes on a busy 2-core machine can take longer than Jest's default 5 s. */
const SLOW = 60_000;

describe('WORKERS: several processes behind one port (node:cluster) behave as one service', () => {
  const root = new TempRoot();
  let bytes: Buffer;
  let server: ServerProcess;

  beforeAll(async () => {
    bytes = root.writeRandom('data.bin', 300_000);
    server = await ServerProcess.start({ FILES_ROOT: root.path, WORKERS: '3' });
    await until(() => childrenOf(server.child.pid as number).length === 3, 'three workers', { timeoutMs: 30_000 });
  }, SLOW);

  afterAll(async () => {
    await server?.stop();
    root.cleanup();
  }, SLOW);

  it(
    'starts the number of workers asked for, each serving files and ranges correctly',
    async () => {
      expect(childrenOf(server.child.pid as number)).toHaveLength(3);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          download(`${server.url}/data.bin`, { headers: i % 2 ? { Range: `bytes=${i * 1000}-${i * 1000 + 99}` } : {} }),
        ),
      );
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(i % 2 ? 206 : 200);
        expect(answer.body.equals(i % 2 ? bytes.subarray(i * 1000, i * 1000 + 100) : bytes)).toBe(true);
      });
    },
    SLOW,
  );

  it(
    'answers one scrape with the requests of every worker: N requests, whichever took them, count N',
    async () => {
      const before = total(await (await fetch(`${server.url}/.metrics`)).text(), 'http_requests_total');
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => download(`${server.url}/data.bin`, { headers: { Range: 'bytes=0-9' } })),
      );
      // Fresh connections, so they spread over the workers; the log says which pid answered each.
      expect(answers.every((answer) => answer.status === 206)).toBe(true);
      const pids = new Set(accessLines(server).map((line) => line.pid));
      expect(pids.size).toBeGreaterThan(1);
      for (let scrape = 0; scrape < 3; scrape += 1) {
        // Each scrape may land on another worker: every one reports the same whole-tree sum.
        const metrics = await (await fetch(`${server.url}/.metrics`)).text();
        expect(total(metrics, 'http_requests_total')).toBe(before + 30);
        expect(metrics).toMatch(/^http_requests_total\{method="GET",status="206"\} \d+$/m);
      }
    },
    SLOW,
  );

  it(
    'hashes a file once for the whole host, and every worker then answers with its digest',
    async () => {
      const before = total(await (await fetch(`${server.url}/.metrics`)).text(), 'digest_hash_jobs_total');
      const digested = root.writeRandom('digest-once.bin', 2 * 1024 * 1024);
      const expected = reprDigestField('sha256', digested);
      await until(
        async () =>
          (await download(`${server.url}/digest-once.bin`, { headers: { Range: 'bytes=0-0' } })).headers['repr-digest'] === expected,
        'a response with the digest',
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          download(`${server.url}/digest-once.bin`, { headers: { Range: 'bytes=0-0', 'X-Request-Id': `once-${i}` } }),
        ),
      );
      expect(answers.map((answer) => answer.headers['repr-digest'])).toEqual(answers.map(() => expected));
      const pids = new Set(
        accessLines(server)
          .filter((line) => line.requestId?.startsWith('once-'))
          .map((line) => line.pid),
      );
      expect(pids.size).toBeGreaterThan(1);
      const metrics = await (await fetch(`${server.url}/.metrics`)).text();
      expect(total(metrics, 'digest_hash_jobs_total')).toBe(before + 1);
    },
    SLOW,
  );

  it('writes nothing but JSON lines, the primary included', () => {
    const lines = server.stdout.split('\n').filter((line) => line !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as { pid?: number; msg?: string };
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    const primary = server.child.pid;
    expect(parsed.filter((line) => line.pid === primary).map((line) => line.msg)).toContain('starting 3 workers');
    expect(new Set(parsed.map((line) => line.pid)).size).toBe(4);
  });

  it(
    'stops every worker when the primary is told to stop',
    async () => {
      const workers = childrenOf(server.child.pid as number);
      expect(workers.length).toBeGreaterThan(0);
      await server.stop();
      expect(server.child.exitCode).toBe(0);
      await until(() => !workers.some(isAlive), 'every worker to exit', { timeoutMs: 10_000 });
      expect(workers.filter(isAlive)).toEqual([]);
    },
    SLOW,
  );
});

function accessLines(server: ServerProcess): Array<{ pid: number; msg: string; requestId?: string }> {
  return server.stdout
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as { pid: number; msg: string; requestId?: string });
}
