import type { ChildProcess } from 'node:child_process';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';
import { sleep } from '../support/wait.js';

/** How the process ended, or 'still running' after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(`exit ${child.exitCode} ${child.signalCode}`);
  return Promise.race([
    new Promise<string>((done) => child.once('exit', (code, signal) => done(`exit ${code} ${signal}`))),
    sleep(ms).then(() => 'still running'),
  ]);
}

describe('log output', () => {
  const root = new TempRoot();

  beforeAll(() => root.write('hello.txt', 'hello\n'));
  afterAll(() => root.cleanup());

  // sonic-boom 4 (pino's own) retried the buffered lines' failed write (EPIPE) every 100 ms forever
  // at exit, so a server whose log reader had gone ignored SIGTERM. The shutdown logs two lines, and
  // the second is still buffered when the process exits; which write fails first is a race, so the
  // scenario runs a few times (the old code hung in most of them).
  it('still exits 0 on SIGTERM after the reader of its stdout went away', async () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const server = await ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'info' });
      try {
        expect((await fetch(`${server.url}/hello.txt`)).status).toBe(200);
        server.child.stdout?.destroy(); // the reader is gone: every later write to stdout fails with EPIPE
        server.child.kill('SIGTERM');
        expect(`attempt ${attempt}: ${await exitWithin(server.child, 10_000)}`).toBe(`attempt ${attempt}: exit 0 null`);
      } finally {
        server.child.kill('SIGKILL');
      }
    }
  });

  it('keeps serving when its stdout reader is gone, and drops the lines', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'info' });
    try {
      server.child.stdout?.destroy();
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${server.url}/hello.txt`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('hello\n');
      }
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
