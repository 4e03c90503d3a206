import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/.healthz`);
    return false;
  } catch (error) {
    return ((error as { cause?: { code?: string } }).cause?.code ?? '') === 'ECONNREFUSED';
  }
}

/** SIGTERM / SIGINT on the compiled service running as its own process. */
describe('graceful shutdown', () => {
  const root = new TempRoot();
  const downloads = new TempRoot();
  let file: Buffer;

  beforeAll(() => {
    requireCommand('curl', 'curl');
    // Far larger than what the loopback socket buffers can hold, so the server is still sending when the signal comes.
    file = root.writeRandom('slow.bin', 32 * 1024 * 1024);
  });

  afterAll(() => {
    root.cleanup();
    downloads.cleanup();
  });

  /** A throttled curl download, started and seen to have received its first bytes. */
  async function slowDownload(server: ServerProcess, target: string): Promise<ChildProcess> {
    const curl = spawn('curl', ['-sS', '--limit-rate', '4M', '-o', target, `${server.url}/slow.bin`], { stdio: 'ignore' });
    await until(() => existsSync(target) && statSync(target).size > 0, 'the first bytes of the download', { timeoutMs: 30_000 });
    return curl;
  }

  it('on SIGTERM stops accepting connections, lets the in-flight download finish byte-exactly, and exits 0', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path, SHUTDOWN_GRACE_MS: '60000' });
    const target = join(downloads.path, 'complete.bin');
    const curl = await slowDownload(server, target);
    server.child.kill('SIGTERM');
    // Most of the file was still to come when the signal arrived.
    expect(statSync(target).size).toBeLessThan(file.length / 2);
    await until(() => refusesConnections(server.url), 'new connections to be refused', { timeoutMs: 30_000 });
    expect(await exitOf(curl)).toEqual({ code: 0, signal: null });
    expect(sha256(readFileSync(target))).toBe(sha256(file));
    expect(await exitOf(server.child)).toEqual({ code: 0, signal: null });
    expect(server.logs).toContain('shutting down: draining in-flight requests');
    expect(server.logs).not.toContain('grace period over');
  }, 120_000);

  it('cuts a download that outlasts the grace period, and still exits 0', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path, SHUTDOWN_GRACE_MS: '300' });
    const target = join(downloads.path, 'cut.bin');
    const curl = await slowDownload(server, target);
    server.child.kill('SIGTERM');
    // curl 18: "transfer closed with outstanding read data remaining", a partial file it can resume.
    expect(await exitOf(curl)).toEqual({ code: 18, signal: null });
    const received = readFileSync(target);
    expect(received.length).toBeLessThan(file.length);
    // What did arrive is an exact prefix (Buffer#equals: Jest's deep equality is far too slow at this size).
    expect(received.equals(file.subarray(0, received.length))).toBe(true);
    expect(await exitOf(server.child)).toEqual({ code: 0, signal: null });
    expect(server.logs).toContain('grace period over');
  }, 120_000);

  it('exits 0 on SIGINT too, at once when nothing is in flight', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path });
    // A keep-alive connection left idle by an earlier request must not hold the shutdown up.
    expect((await fetch(`${server.url}/.readyz`)).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await exitOf(server.child)).toEqual({ code: 0, signal: null });
    expect(server.logs).not.toContain('grace period over');
  }, 120_000);
});
