import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tamperSignature, TestCredentials } from '../support/access.js';
import { sha256, TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';
import { TamperingProxy } from '../support/tampering-proxy.js';
import { sleep, until } from '../support/wait.js';

const TSX = resolve('node_modules/.bin/tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A TypeScript command-line tool of this repository as its own process, as `npm run` starts it. */
function runTool(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const environment: Record<string, string | undefined> = { ...process.env, ...env };
    delete environment.INIT_CWD;
    const child = spawn(TSX, [script, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Real clients through signed links, against the compiled service in private mode as its own
 * process: resumes with curl, wget and the bundled fetch client, aria2c's segments, links that
 * expire in the middle of a download, and the sign and token commands.
 */
describe('signed links with real clients (ACCESS=private)', () => {
  const root = new TempRoot();
  const downloads = new TempRoot();
  const credentials = new TestCredentials();
  let server: ServerProcess;
  let movie: Buffer;
  let large: Buffer;
  let proxies: TamperingProxy[] = [];

  const settings = () => ({ FILES_ROOT: root.path, ...credentials.settings('private'), LOG_LEVEL: 'info', AUTH_FAILURE_LIMIT: '1000' });
  const url = (link: string) => `${server.url}${link}`;

  beforeAll(async () => {
    requireCommand('curl', 'curl');
    requireCommand('wget', 'wget');
    requireCommand('aria2c', 'aria2');
    movie = root.writeRandom('media/movie.bin', 16 * 1024 * 1024);
    large = root.writeRandom('media/large.iso', 64 * 1024 * 1024 + 4321);
    server = await ServerProcess.start(settings());
  });

  afterEach(async () => {
    for (const proxy of proxies) await proxy.stop();
    proxies = [];
  });

  afterAll(async () => {
    await server?.stop();
    root.cleanup();
    downloads.cleanup();
  });

  it('curl: a download through a signed link, cut off, resumes with `curl -C -`', () => {
    const link = url(credentials.link('/media/movie.bin'));
    const target = downloads.resolve('curl-movie.bin');
    const cut = spawnSync('curl', ['-sS', '--limit-rate', '4M', '--max-time', '1', '-o', target, link]);
    expect(cut.status).toBe(28);
    const partial = statSync(target).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(movie.length);
    execFileSync('curl', ['-sS', '--fail', '-C', '-', '-o', target, link]);
    expect(sha256(readFileSync(target))).toBe(sha256(movie));
  });

  it('wget: a download through a signed link, killed, resumes with `wget -c`', () => {
    const link = url(credentials.link('/media/movie.bin'));
    const target = downloads.resolve('wget-movie.bin');
    const cut = spawnSync('timeout', ['-s', 'KILL', '1', 'wget', '-q', '--limit-rate=4m', '-O', target, link]);
    expect(cut.status).not.toBe(0);
    const partial = statSync(target).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(movie.length);
    execFileSync('wget', ['-q', '-c', '-O', target, link]);
    expect(sha256(readFileSync(target))).toBe(sha256(movie));
  });

  it('aria2c -x8 -s8 fetches a large file in parallel segments through one signed link', () => {
    const folder = downloads.resolve('aria2');
    const result = spawnSync(
      'aria2c',
      [
        '-x8',
        '-s8',
        '-k1M',
        '--file-allocation=none',
        '--summary-interval=0',
        '-q',
        '-d',
        folder,
        '-o',
        'large.iso',
        url(credentials.link('/media/large.iso')),
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(sha256(readFileSync(join(folder, 'large.iso')))).toBe(sha256(large));
  });

  it('a download that outlives its link completes byte-exactly; a request that starts after expiry gets 403 expired', () => {
    const link = url(credentials.link('/media/movie.bin', { ttlSeconds: 2 }));
    const expiresMs = Number(new URL(link).searchParams.get('exp')) * 1000;
    const target = downloads.resolve('outlived.bin');
    // 16 MiB at 2 MiB/s: several seconds, longer than the link lives.
    execFileSync('curl', ['-sS', '--fail', '--limit-rate', '2M', '-o', target, link]);
    expect(Date.now()).toBeGreaterThan(expiresMs); // it finished after the link had expired
    expect(sha256(readFileSync(target))).toBe(sha256(movie));
    const late = spawnSync('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '-r', '0-9', link], { encoding: 'utf8' });
    expect(late.stdout.trim().split('\n').pop()).toBe('403');
    expect(late.stdout).toContain('"reason":"expired"');
  });

  it('npm run fetch: a partial download resumes with a newly minted link after the first expired, and says that it expired', async () => {
    const fetchScript = resolve('scripts/fetch.ts');
    let cut = true;
    const proxy = await TamperingProxy.start(server.port, (_index, request) => {
      if (request.method !== 'GET' || !cut) return {};
      cut = false;
      return { cutAfterBytes: 3_000_000 };
    });
    proxies.push(proxy);
    const target = downloads.resolve('fetched.bin');
    const first = credentials.link('/media/movie.bin', { ttlSeconds: 6 });
    const expires = Number(new URL(`http://x${first}`).searchParams.get('exp')) * 1000;

    const broken = await runTool(fetchScript, ['--retries', '0', `${proxy.url}${first}`, target]);
    expect(broken.code).toBe(2);
    const kept = statSync(`${target}.part`).size;
    expect(kept).toBeGreaterThan(0);

    await sleep(Math.max(0, expires - Date.now() + 200));
    const expired = await runTool(fetchScript, [`${proxy.url}${first}`, target]);
    expect(expired.code).toBe(6);
    expect(expired.stderr).toMatch(/the link has EXPIRED \(HTTP 403 Forbidden, reason: expired\)/);
    expect(expired.stderr).not.toContain('sig=');
    expect(statSync(`${target}.part`).size).toBe(kept); // nothing lost

    const fresh = credentials.link('/media/movie.bin');
    const resumed = await runTool(fetchScript, [`${proxy.url}${fresh}`, target]);
    expect(resumed.stderr).toContain(`resuming ${target}`);
    expect(resumed.code).toBe(0);
    expect(sha256(readFileSync(target))).toBe(sha256(movie));
    const lastGet = proxy.seen.filter((request) => request.method === 'GET').pop();
    expect(lastGet?.headers.range).toMatch(new RegExp(`^bytes=${kept}-`));
  });

  it('a pinned link answers 412 to `curl -C -` once the file changed, and the partial file stays as it was', () => {
    const changing = root.writeRandom('media/changing.bin', 24 * 1024 * 1024);
    const link = url(credentials.link('/media/changing.bin', { version: versionOf('media/changing.bin') }));
    const target = downloads.resolve('pinned.bin');
    const cut = spawnSync('curl', ['-sS', '--limit-rate', '2M', '--max-time', '1', '-o', target, link]);
    expect(cut.status).toBe(28);
    const partial = readFileSync(target);
    expect(partial.equals(changing.subarray(0, partial.length))).toBe(true);

    root.writeRandom('media/changing.bin', 24 * 1024 * 1024); // same size, new bytes: curl alone cannot tell
    const resume = spawnSync('curl', ['-sS', '--fail', '-C', '-', '-o', target, '-w', '%{http_code}', link], { encoding: 'utf8' });
    expect(resume.stdout).toBe('412');
    expect(resume.status).toBe(22); // --fail: HTTP error, nothing appended
    expect(readFileSync(target).equals(partial)).toBe(true);
  });

  it('npm run token makes a token the service accepts; npm run sign makes a pinned link the service accepts', async () => {
    const token = await runTool(resolve('src/access/cli/token.ts'), ['cli-test']);
    expect(token.code).toBe(0);
    const [secret, entry] = token.stdout.trim().split('\n');
    expect(entry).toMatch(/^cli-test:[0-9a-f]{64}$/);
    const signed = await runTool(resolve('src/access/cli/sign.ts'), ['/media/movie.bin', '--ttl', '10m'], settings());
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    const link = signed.stdout.trim();
    expect(link).toMatch(new RegExp(`^/media/movie\\.bin\\?exp=\\d+&kid=k1&v=${versionOf('media/movie.bin')}&sig=[\\w-]{43}$`));
    expect(Number(new URL(`http://x${link}`).searchParams.get('exp')) * 1000 - Date.now()).toBeGreaterThan(590_000);

    const other = await ServerProcess.start({ ...settings(), API_TOKENS: entry });
    try {
      const byToken = await fetch(`${other.url}/media/movie.bin`, { headers: { Authorization: `Bearer ${secret}`, Range: 'bytes=0-99' } });
      expect(byToken.status).toBe(206);
      expect(Buffer.from(await byToken.arrayBuffer()).equals(movie.subarray(0, 100))).toBe(true);
      const byLink = await fetch(`${other.url}${link}`, { method: 'HEAD' });
      expect(byLink.status).toBe(200);
      expect(byLink.headers.get('etag')).toBe(`"${versionOf('media/movie.bin')}"`);
    } finally {
      await other.stop();
    }
  });

  it('sign reads .env in the working directory (the environment wins), and runs compiled as in the image', async () => {
    const folder = downloads.resolve('sign-cwd');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, '.env'),
      `FILES_ROOT=${root.path}\nSIGNING_KEYS=${credentials.settings('private').SIGNING_KEYS}\nLINK_MAX_TTL=60\n`,
    );
    const environment: Record<string, string | undefined> = { ...process.env, LINK_MAX_TTL: '120' };
    for (const name of ['FILES_ROOT', 'SIGNING_KEYS', 'INIT_CWD']) delete environment[name];
    const compiled = spawnSync('node', [resolve('dist/access/cli/sign.js'), '/media/movie.bin', '--ttl', '100'], {
      cwd: folder,
      env: environment,
      encoding: 'utf8',
    });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    const link = compiled.stdout.trim();
    expect((await fetch(url(link), { method: 'HEAD' })).status).toBe(200);
    // LINK_MAX_TTL=120 from the environment, not 60 from .env: a 100 s link was allowed.
    const over = spawnSync('node', [resolve('dist/access/cli/sign.js'), '/media/movie.bin', '--ttl', '121'], {
      cwd: folder,
      env: environment,
      encoding: 'utf8',
    });
    expect(over.stderr).toBe('sign: ttl must be at most LINK_MAX_TTL (120 seconds)\n');
  });

  it('npm run sign refuses a missing file and a bad --ttl with one line, exit 1', async () => {
    const missing = await runTool(resolve('src/access/cli/sign.ts'), ['/media/nope.bin'], settings());
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'sign: no such file under FILES_ROOT: /media/nope.bin\n' });
    const ttl = await runTool(resolve('src/access/cli/sign.ts'), ['--ttl', '1w', '/media/movie.bin'], settings());
    expect(ttl).toMatchObject({ code: 1, stderr: 'sign: --ttl must be seconds or a number with s, m, h or d (got 1w)\n' });
    const tooLong = await runTool(resolve('src/access/cli/sign.ts'), ['--ttl', '8d', '/media/movie.bin'], settings());
    expect(tooLong).toMatchObject({ code: 1, stderr: 'sign: ttl must be at most LINK_MAX_TTL (604800 seconds)\n' });
  });

  it('logs auth as link:KEYID or token:NAME, refusals with their reason, and never a signature or a token', async () => {
    const link = credentials.link('/media/movie.bin');
    const sig = new URL(`http://x${link}`).searchParams.get('sig') as string;
    const requests: Array<[string, RequestInit, string]> = [
      [link, {}, 'log-link'],
      ['/media/movie.bin', { headers: credentials.bearer() }, 'log-token'],
      ['/media/movie.bin', { headers: { Authorization: 'Bearer wrong-token-value' } }, 'log-bad-token'],
      [tamperSignature(link), {}, 'log-bad-sig'],
      ['/media/movie.bin', {}, 'log-anonymous'],
    ];
    for (const [path, init, id] of requests) {
      const res = await fetch(url(path), {
        ...init,
        method: 'HEAD',
        headers: { ...(init.headers as Record<string, string>), 'X-Request-Id': id },
      });
      expect(res.status).toBeGreaterThan(0);
    }
    const line = (id: string) =>
      server.logs
        .split('\n')
        .filter((candidate) => candidate.includes(`"requestId":"${id}"`))
        .map((candidate) => JSON.parse(candidate) as Record<string, unknown>)[0];
    await until(() => line('log-anonymous') !== undefined, 'the access lines');
    expect(line('log-link')).toMatchObject({ status: 200, auth: 'link:k1', authDenied: null, path: '/media/movie.bin' });
    expect(line('log-token')).toMatchObject({ status: 200, auth: 'token:reader', authDenied: null });
    expect(line('log-bad-token')).toMatchObject({ status: 403, auth: 'none', authDenied: 'bad-token' });
    expect(line('log-bad-sig')).toMatchObject({ status: 403, auth: 'none', authDenied: 'bad-signature' });
    expect(line('log-anonymous')).toMatchObject({ status: 401, auth: 'none', authDenied: 'unauthenticated' });
    for (const secret of [sig, credentials.readToken, 'wrong-token-value', 'Bearer', 'sig=']) expect(server.logs).not.toContain(secret);
  });

  /** The file's version as the service names it: its strong ETag without quotes. */
  function versionOf(path: string): string {
    const stats = statSync(root.resolve(path), { bigint: true });
    return `${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}`;
  }
});
