import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, TempRoot } from '../support/fixtures.js';
import { download } from '../support/raw-http.js';
import { TamperingProxy } from '../support/tampering-proxy.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';
import { sleep, until } from '../support/wait.js';

/**
 * Real download clients against the compiled service running as its own process: each
 * interrupted download is resumed by the client's own resume logic, and the result is compared
 * with the file on disk by SHA-256.
 */
describe('real clients', () => {
  const root = new TempRoot();
  const downloads = new TempRoot();
  let server: ServerProcess;
  let file: Buffer;
  let large: Buffer;

  beforeAll(async () => {
    requireCommand('curl', 'curl');
    requireCommand('wget', 'wget');
    requireCommand('aria2c', 'aria2');
    file = root.writeRandom('movie.bin', 16 * 1024 * 1024);
    large = root.writeRandom('large.iso', 96 * 1024 * 1024 + 12345);
    server = await ServerProcess.start({ FILES_ROOT: root.path });
  });

  afterAll(async () => {
    await server?.stop();
    root.cleanup();
    downloads.cleanup();
  });

  function interruptedPrefix(target: string, bytes: number): void {
    // A client that died part-way leaves a prefix of the file behind.
    execFileSync('curl', ['-sS', '-o', target, '-r', `0-${bytes - 1}`, `${server.url}/movie.bin`]);
    expect(statSync(target).size).toBe(bytes);
  }

  it('curl: a download cut off by --max-time resumes with `curl -C -`', () => {
    const target = join(downloads.path, 'curl-movie.bin');
    const cut = spawnSync('curl', ['-sS', '--limit-rate', '2M', '--max-time', '1', '-o', target, `${server.url}/movie.bin`]);
    expect(cut.status).toBe(28); // curl's "operation timed out"
    const partial = statSync(target).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(file.length);

    execFileSync('curl', ['-sS', '--fail', '-C', '-', '-o', target, `${server.url}/movie.bin`]);
    expect(sha256(readFileSync(target))).toBe(sha256(file));
  });

  it('curl -C - on a complete file succeeds without downloading again', () => {
    const target = join(downloads.path, 'curl-complete.bin');
    execFileSync('curl', ['-sS', '--fail', '-o', target, `${server.url}/movie.bin`]);
    const again = spawnSync('curl', ['-sS', '-C', '-', '-o', target, `${server.url}/movie.bin`]);
    // curl treats the 416 for "bytes=SIZE-" as "already complete" and exits 0.
    expect(again.status).toBe(0);
    expect(sha256(readFileSync(target))).toBe(sha256(file));
  });

  it('wget: an interrupted download resumes with `wget -c`', () => {
    const folder = join(downloads.path, 'wget');
    mkdirSync(folder);
    const target = join(folder, 'movie.bin');
    const cut = spawnSync('timeout', ['-s', 'KILL', '1', 'wget', '-q', '--limit-rate=2m', '-P', folder, `${server.url}/movie.bin`]);
    expect(cut.status).not.toBe(0);
    const partial = statSync(target).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(file.length);

    execFileSync('wget', ['-q', '-c', '-P', folder, `${server.url}/movie.bin`]);
    expect(sha256(readFileSync(target))).toBe(sha256(file));
  });

  it('wget -c on a complete file sees the 416 and leaves the file alone', () => {
    const folder = join(downloads.path, 'wget-complete');
    mkdirSync(folder);
    const target = join(folder, 'movie.bin');
    execFileSync('wget', ['-q', '-P', folder, `${server.url}/movie.bin`]);
    const again = spawnSync('wget', ['-c', '-P', folder, `${server.url}/movie.bin`], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/already fully retrieved/);
    expect(sha256(readFileSync(target))).toBe(sha256(file));
  });

  it('wget -c continues from a prefix left by another client', () => {
    const folder = join(downloads.path, 'wget-prefix');
    mkdirSync(folder);
    const target = join(folder, 'movie.bin');
    interruptedPrefix(target, 5_000_001);
    execFileSync('wget', ['-q', '-c', '-P', folder, `${server.url}/movie.bin`]);
    expect(sha256(readFileSync(target))).toBe(sha256(file));
  });

  /** aria2c with eight segments of 1 MiB into `folder`/large.iso, quietly; `extra` adds options. */
  function aria2(folder: string, extra: string[]) {
    const options = ['-x8', '-s8', '-k1M', '--file-allocation=none', '--summary-interval=0', '-q', ...extra];
    return spawnSync('aria2c', [...options, '-d', folder, '-o', 'large.iso', `${server.url}/large.iso`], { encoding: 'utf8' });
  }

  it('aria2c -x8 -s8 fetches a large file in parallel segments', () => {
    const folder = join(downloads.path, 'aria2');
    expect(aria2(folder, ['--allow-overwrite=true']).status).toBe(0);
    expect(sha256(readFileSync(join(folder, 'large.iso')))).toBe(sha256(large));
  });

  it('aria2c -c resumes a partial segmented download', () => {
    const folder = join(downloads.path, 'aria2-resume');
    const target = join(folder, 'large.iso');
    const first = aria2(folder, ['--max-overall-download-limit=8M', '--stop=1']);
    expect(first.status).not.toBe(0); // stopped after a second, with its .aria2 control file
    const resumed = aria2(folder, ['-c']);
    expect(resumed.status).toBe(0);
    expect(sha256(readFileSync(target))).toBe(sha256(large));
  });

  it('curl -C -, wget -c and aria2c -c resume with Range alone, no If-Range: they cannot notice a changed file', async () => {
    const watching = await TamperingProxy.start(server.port);
    try {
      const resumes: Array<[string, string[]]> = [
        ['curl', ['-sS', '-C', '-', '-o', 'curl.bin', `${watching.url}/movie.bin`]],
        ['wget', ['-q', '-c', '-O', 'wget.bin', `${watching.url}/movie.bin`]],
        ['aria2c', ['-q', '-c', '--allow-overwrite=false', '-o', 'aria2c.bin', `${watching.url}/movie.bin`]],
      ];
      const folder = join(downloads.path, 'no-if-range');
      mkdirSync(folder, { recursive: true });
      for (const [client, args] of resumes) {
        interruptedPrefix(join(folder, `${client}.bin`), 1_000_000);
        // Not spawnSync: the proxy answers from this very process.
        await promisify(execFile)(client, args, { cwd: folder });
        expect(sha256(readFileSync(join(folder, `${client}.bin`)))).toBe(sha256(file));
      }
      const resumed = watching.seen.filter((request) => request.headers.range !== undefined);
      expect(resumed.map((request) => String(request.headers['user-agent']).split('/')[0].toLowerCase())).toEqual([
        'curl',
        'wget',
        'aria2',
      ]);
      expect(resumed.map((request) => request.headers['if-range'])).toEqual([undefined, undefined, undefined]);
    } finally {
      await watching.stop();
    }
  });

  it('returns to its baseline of file descriptors after many aborted downloads', async () => {
    const baseline = server.openDescriptors();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        download(`${server.url}/large.iso`, { headers: i % 2 ? { Range: `bytes=${i * 1000}-` } : {}, stopAfter: 1 }),
      ),
    );
    await until(() => server.openDescriptors() <= baseline, 'the descriptors to be closed', { timeoutMs: 10_000 });
    expect(server.openDescriptors()).toBeLessThanOrEqual(baseline);
  });

  it('curl sees a truncated transfer, not a complete one, when the file shrinks mid-download', async () => {
    const victim = root.writeRandom('victim.bin', 32 * 1024 * 1024);
    const target = join(downloads.path, 'victim.bin');
    const curl = spawn('curl', ['-sS', '--limit-rate', '4M', '-o', target, `${server.url}/victim.bin`]);
    const exitCode = new Promise<number | null>((done) => curl.once('exit', done));
    await sleep(500);
    truncateSync(root.resolve('victim.bin'), 1000);
    expect(await exitCode).toBe(18); // CURLE_PARTIAL_FILE: the client knows it must resume
    expect(statSync(target).size).toBeLessThan(victim.length);
    // The process survived and keeps serving.
    const after = await fetch(`${server.url}/movie.bin`);
    expect(sha256(Buffer.from(await after.arrayBuffer()))).toBe(sha256(file));
  });
});
