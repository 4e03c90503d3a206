import type { INestApplication } from '@nestjs/common';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { freePort, requireCommand } from '../support/server-process.js';
import { PhotoFinish, TamperingProxy, type SeenRequest, type Tampering } from '../support/tampering-proxy.js';
import { until } from '../support/wait.js';

const CLIENT = resolve('scripts/fetch.ts');
/** What `npm run fetch` runs (package.json): node with tsx as its loader. */
const CLIENT_COMMAND = ['node', '--import', 'tsx', CLIENT];

interface ClientRun {
  code: number | null;
  stderr: string;
}

/** `npm run fetch -- ...args` as a separate process, as npm runs it. */
function runClient(args: string[]): Promise<ClientRun> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    delete env.INIT_CWD;
    const child = spawn(CLIENT_COMMAND[0], [...CLIENT_COMMAND.slice(1), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

const sha256Field = (bytes: Buffer) => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
const gets = (seen: readonly SeenRequest[]) => seen.filter((request) => request.method === 'GET');

/** A plan that applies `tampering` to the GET requests whose 0-based GET index is in `which`. */
function onGets(which: number[], tampering: Tampering): (index: number, request: SeenRequest) => Tampering {
  let count = 0;
  return (_index, request) => {
    if (request.method !== 'GET') return {};
    return which.includes(count++) ? tampering : {};
  };
}

describe('npm run fetch (resuming, verifying client)', () => {
  const served = new TempRoot();
  const downloads = new TempRoot();
  let app: INestApplication;
  let port: number;
  let proxies: TamperingProxy[] = [];

  async function proxy(plan?: (index: number, request: SeenRequest) => Tampering): Promise<TamperingProxy> {
    const started = await TamperingProxy.start(port, plan);
    proxies.push(started);
    return started;
  }

  beforeAll(async () => {
    ({ app, port } = await startApp({ FILES_ROOT: served.path }));
  });

  afterEach(async () => {
    for (const started of proxies) await started.stop();
    proxies = [];
  });

  afterAll(async () => {
    await app.close();
    served.cleanup();
    downloads.cleanup();
  });

  it('downloads, waits for the server to compute the digest, verifies it and leaves no partial files', async () => {
    const data = served.writeRandom('plain.bin', 1024 * 1024 + 7);
    const target = downloads.resolve('plain.bin');
    const run = await runClient([`http://127.0.0.1:${port}/plain.bin`, target]);
    expect(run.stderr).toContain(`verified ${sha256Field(data)}`);
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(existsSync(`${target}.part`)).toBe(false);
    expect(existsSync(`${target}.part.json`)).toBe(false);
  });

  it('keeps the partial file after an interruption and resumes it with Range and If-Range', async () => {
    const data = served.writeRandom('interrupted.bin', 2 * 1024 * 1024);
    const target = downloads.resolve('interrupted.bin');
    const breaking = await proxy(onGets([0], { cutAfterBytes: 700_000 }));
    const first = await runClient(['--retries', '0', `${breaking.url}/interrupted.bin`, target]);
    expect(first.stderr).toMatch(/interrupted after \d+ bytes/);
    expect(first.code).toBe(2);
    const saved = JSON.parse(readFileSync(`${target}.part.json`, 'utf8')) as { etag: string; segments: Array<{ done: number }> };
    const kept = saved.segments[0].done;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(700_000);
    expect(statSync(`${target}.part`).size).toBe(kept);
    expect(existsSync(target)).toBe(false);

    const second = await runClient([`${breaking.url}/interrupted.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    const resumed = gets(breaking.seen)[1];
    expect(resumed.headers.range).toBe(`bytes=${kept}-${data.length - 1}`);
    expect(resumed.headers['if-range']).toBe(saved.etag);
  });

  it('resumes by itself within one run when the connection keeps breaking', async () => {
    const data = served.writeRandom('flaky.bin', 1024 * 1024);
    const target = downloads.resolve('flaky.bin');
    const flaky = await proxy(onGets([0, 1], { cutAfterBytes: 200_000 }));
    const run = await runClient([`${flaky.url}/flaky.bin`, target]);
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    const requests = gets(flaky.seen);
    expect(requests).toHaveLength(3);
    expect(requests[0].headers.range).toBeUndefined();
    expect(requests[1].headers.range).toMatch(/^bytes=[1-9]\d*-/);
    expect(requests[2].headers.range).toMatch(/^bytes=[1-9]\d*-/);
  });

  it.each([
    ['a different size', 900_000],
    ['the same size', 1024 * 1024],
  ])('starts over cleanly when the file changed on the server before the resume (%s)', async (_case, newSize) => {
    const name = `changing-${newSize}.bin`;
    served.writeRandom(name, 1024 * 1024);
    const target = downloads.resolve(name);
    const breaking = await proxy(onGets([0], { cutAfterBytes: 300_000 }));
    expect((await runClient(['--retries', '0', `${breaking.url}/${name}`, target])).code).toBe(2);

    const replaced = served.writeRandom(name, newSize);
    const run = await runClient([`${breaking.url}/${name}`, target]);
    expect(run.stderr).toContain('the file changed on the server');
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(replaced)).toBe(true);
    expect(run.stderr).toContain(`verified ${sha256Field(replaced)}`);
    // The If-Range request got the new file with 200, and the client took that body: two GETs in all.
    expect(gets(breaking.seen)).toHaveLength(2);
    expect(gets(breaking.seen)[1].headers['if-range']).toBeDefined();
  });

  it('fetches in parallel segments, and resumes a broken segment on the next run', async () => {
    const data = served.writeRandom('parallel.bin', 3 * 1024 * 1024 + 5);
    const target = downloads.resolve('parallel.bin');
    const breaking = await proxy(onGets([2], { cutAfterBytes: 100_000 }));
    const first = await runClient(['--parallel', '4', '--retries', '0', `${breaking.url}/parallel.bin`, target]);
    expect(first.code).toBe(2);
    const ranges = gets(breaking.seen).map((request) => request.headers.range);
    expect(ranges).toHaveLength(4);
    for (const range of ranges) expect(range).toMatch(/^bytes=\d+-\d+$/);

    const second = await runClient(['--parallel', '4', `${breaking.url}/parallel.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(second.stderr).toContain(`verified ${sha256Field(data)}`);
  });

  it('stops cleanly (exit 2) when a segment breaks just as the others have received their last bytes', async () => {
    // Node's fetch leaves a read pending forever on a body that had fully arrived, but was not yet
    // all read, when the request's signal aborts: the client used to exit with 13 (a top-level await
    // that never settled) here, as one segment's failure aborted the three others. The sizes widen
    // that window: three segments of 400,000 bytes less their 60,000-byte tails stay under the
    // client's 1 MiB save interval, and the first tail crosses it, so that segment saves its progress
    // between its last bytes and the end of its body, while the fourth request breaks.
    const data = served.writeRandom('photo-finish.bin', 4 * 400_000);
    const target = downloads.resolve('photo-finish.bin');
    const finish = new PhotoFinish(4, 60_000);
    let count = 0;
    const racing = await proxy((_index, request) => {
      if (request.method !== 'GET') return {};
      count += 1;
      if (count <= 3) return { holdTailFor: finish };
      return count === 4 ? { dropAt: finish } : {};
    });
    const first = await runClient(['--parallel', '4', '--retries', '0', `${racing.url}/photo-finish.bin`, target]);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/interrupted after \d+ bytes/);
    expect(existsSync(target)).toBe(false);

    const second = await runClient(['--parallel', '4', `${racing.url}/photo-finish.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
  });

  it('starts a parallel download over when the file changed between runs', async () => {
    served.writeRandom('parallel-changing.bin', 2 * 1024 * 1024);
    const target = downloads.resolve('parallel-changing.bin');
    const breaking = await proxy(onGets([0], { cutAfterBytes: 50_000 }));
    expect((await runClient(['-p', '3', '--retries', '0', `${breaking.url}/parallel-changing.bin`, target])).code).toBe(2);
    const replaced = served.writeRandom('parallel-changing.bin', 1_500_000);
    const run = await runClient(['-p', '3', `${breaking.url}/parallel-changing.bin`, target]);
    expect(run.stderr).toContain('the file changed on the server');
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(replaced)).toBe(true);
    expect(run.stderr).toContain(`verified ${sha256Field(replaced)}`);
  });

  it('fails loudly, and does not save the file, when the bytes do not match Repr-Digest', async () => {
    served.writeRandom('corrupted.bin', 512 * 1024);
    const target = downloads.resolve('corrupted.bin');
    const corrupting = await proxy(onGets([0], { flipByteAt: 1000 }));
    const run = await runClient([`${corrupting.url}/corrupted.bin`, target]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('DIGEST MISMATCH');
    expect(existsSync(target)).toBe(false);
  });

  it('fails loudly when the server lies about the digest', async () => {
    served.writeRandom('lying.bin', 64 * 1024);
    const target = downloads.resolve('lying.bin');
    const lie = { 'Repr-Digest': sha256Field(Buffer.from('something else')) };
    const lying = await proxy(() => ({ setHeaders: lie }));
    const run = await runClient([`${lying.url}/lying.bin`, target]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('DIGEST MISMATCH');
    expect(existsSync(target)).toBe(false);
  });

  it('warns (or with --require-digest fails) when the server sends no digest', async () => {
    const plain = await startApp({ FILES_ROOT: served.path, DIGEST: 'off' });
    try {
      const data = served.writeRandom('undigested.bin', 10_000);
      const url = `http://127.0.0.1:${plain.port}/undigested.bin`;
      const strict = await runClient(['--require-digest', '--digest-wait', '0', url, downloads.resolve('strict.bin')]);
      expect(strict.code).toBe(4);
      expect(existsSync(downloads.resolve('strict.bin'))).toBe(false);
      const lenient = await runClient(['--digest-wait', '0', url, downloads.resolve('lenient.bin')]);
      expect(lenient.code).toBe(0);
      expect(lenient.stderr).toContain('NOT verified');
      expect(readFileSync(downloads.resolve('lenient.bin')).equals(data)).toBe(true);
    } finally {
      await plain.app.close();
    }
  });

  describe('as a user expects a download tool to behave', () => {
    /** `npm run fetch -- args` in its own process group, as a terminal starts it. */
    function startThroughNpm(args: string[]): { child: ChildProcess; result: Promise<ClientRun> } {
      const child = spawn('npm', ['run', '--silent', 'fetch', '--', ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const result = new Promise<ClientRun>((done) => child.on('close', (code) => done({ code, stderr })));
      return { child, result };
    }

    const receivedSoFar = (target: string): number => {
      try {
        const saved = JSON.parse(readFileSync(`${target}.part.json`, 'utf8')) as { segments: Array<{ done: number }> };
        return saved.segments.reduce((sum, segment) => sum + segment.done, 0);
      } catch {
        return 0;
      }
    };

    test.each([
      ['to the whole process group (Ctrl-C in a terminal)', 'group'],
      ['to the npm process alone', 'npm'],
    ])(
      'Ctrl-C: SIGINT %s saves the progress, leaves no temporary file, says so in one line and exits 2; the next run resumes',
      async (_name, whom) => {
        const data = served.writeRandom(`ctrl-c-${whom}.bin`, 6 * 1024 * 1024);
        const target = downloads.resolve(`ctrl-c-${whom}.bin`);
        const slow = await proxy(onGets([0], { bytesPerSecond: 2 * 1024 * 1024 }));
        const { child, result } = startThroughNpm(['--retries', '0', `${slow.url}/ctrl-c-${whom}.bin`, target]);
        await until(() => receivedSoFar(target) >= 1024 * 1024, 'the first MiB saved', { timeoutMs: 60_000 });
        const pid = child.pid as number;
        process.kill(whom === 'group' ? -pid : pid, 'SIGINT');
        const stopped = await result;
        expect(stopped.code).toBe(2);
        const lines = stopped.stderr.split('\n').filter((line) => line.startsWith('fetch: stopped'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^fetch: stopped at \d+ of 6291456 bytes; run the same command again to resume$/);
        expect(readdirSync(downloads.path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
        const kept = receivedSoFar(target);
        expect(kept).toBeGreaterThanOrEqual(1024 * 1024);
        expect(statSync(`${target}.part`).size).toBeGreaterThanOrEqual(kept);

        const resumed = await runClient([`${slow.url}/ctrl-c-${whom}.bin`, target]);
        expect(resumed.stderr).toContain(`resuming ${target}: ${kept} of 6291456 bytes already here`);
        expect(resumed.code).toBe(0);
        expect(readFileSync(target).equals(data)).toBe(true);
      },
      90_000,
    );

    it('does not download a complete, verified FILE again, and does not overwrite another FILE without --force', async () => {
      const data = served.writeRandom('complete.bin', 300_000);
      const target = downloads.resolve('complete.bin');
      const watching = await proxy();
      expect((await runClient([`${watching.url}/complete.bin`, target])).code).toBe(0);
      const getsBefore = gets(watching.seen).length;

      const again = await runClient([`${watching.url}/complete.bin`, target]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`${target} is already here and matches the server's Repr-Digest: nothing to download`);
      expect(gets(watching.seen).length).toBe(getsBefore);
      expect(readFileSync(target).equals(data)).toBe(true);

      // Another file by that name: kept, unless asked to replace it.
      const other = downloads.resolve('not-this.bin');
      writeFileSync(other, 'something of mine');
      const refused = await runClient([`${watching.url}/complete.bin`, other]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/already exists and differs from the server's version .*; pass --force to replace it/);
      expect(readFileSync(other, 'utf8')).toBe('something of mine');
      const forced = await runClient(['--force', `${watching.url}/complete.bin`, other]);
      expect(forced.code).toBe(0);
      expect(readFileSync(other).equals(data)).toBe(true);
    });

    it('says it cannot connect when the connection is refused, with its own exit code and no retries', async () => {
      const nobody = await freePort();
      const run = await runClient([`http://127.0.0.1:${nobody}/x.bin`, downloads.resolve('refused.bin')]);
      expect(run.code).toBe(5);
      expect(run.stderr.trim()).toBe(
        `fetch: cannot connect to 127.0.0.1:${nobody} (ECONNREFUSED): is the server running and the URL right?`,
      );
    });

    it('prints a progress line every few seconds when stderr is not a terminal', async () => {
      served.writeRandom('progress.bin', 3 * 1024 * 1024);
      const slow = await proxy(() => ({ bytesPerSecond: 2 * 1024 * 1024 }));
      const run = await runClient(['--progress-every', '0.3', `${slow.url}/progress.bin`, downloads.resolve('progress.bin')]);
      expect(run.code).toBe(0);
      const lines = run.stderr.split('\n').filter((line) => / of 3\.00 MiB \(\d+%\), [\d.]+ [KM]i?B\/s, ETA /.test(line));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines[lines.length - 1]).toMatch(/^fetch: 3\.00 MiB of 3\.00 MiB \(100%\)/);
      expect(run.stderr).not.toContain('\r');
    });

    it('redraws one progress line on a terminal', async () => {
      requireCommand('script', 'bsdutils');
      served.writeRandom('terminal.bin', 2 * 1024 * 1024);
      const slow = await proxy(() => ({ bytesPerSecond: 2 * 1024 * 1024 }));
      const command = [...CLIENT_COMMAND, `${slow.url}/terminal.bin`, downloads.resolve('terminal.bin')].map((arg) => `'${arg}'`).join(' ');
      // script(1) runs the client on a pseudo-terminal and copies what it shows to stdout. Not
      // spawnSync: the service and the proxy answer from this very process.
      const shown = await new Promise<{ status: number | null; stdout: string }>((done) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (status) => done({ status, stdout }));
      });
      expect(shown.status).toBe(0);
      // Each redraw: carriage return, "erase line" (ESC [2K), the line; no newline between them.
      const redraws = shown.stdout.split('\r\u001b[2K').slice(1);
      expect(redraws.length).toBeGreaterThanOrEqual(2);
      expect(redraws[0]).toMatch(/^fetch: [\d.]+ (B|KiB|MiB) of 2\.00 MiB \(\d+%\), [\d.]+ (B|KiB|MiB)\/s, ETA (\d+:\d\d|\?)$/);
      expect(shown.stdout).toContain('saved');
    });
  });
});
