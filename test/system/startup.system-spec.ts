import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';

/** The compiled service as production starts it: `node dist/main.js`. */
describe('start-up configuration', () => {
  const root = new TempRoot();
  afterAll(() => root.cleanup());

  /** Runs the service to its exit (asynchronously, so a port this test holds keeps being held). */
  function start(env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((done) => {
      const child = spawn('node', [resolve('dist/main.js')], {
        env: { ...process.env, HOST: '127.0.0.1', PORT: '0', FILES_ROOT: root.path, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => done({ status, stdout: stdout.trim(), stderr: stderr.trim() }));
    });
  }

  test.each<[string, Record<string, string>, RegExp]>([
    ['a missing root', { FILES_ROOT: '/no/such/folder' }, /^Invalid configuration: FILES_ROOT folder does not exist: \/no\/such\/folder$/],
    ['a port out of range', { PORT: '99999' }, /^Invalid configuration: PORT must be an integer between 0 and 65535 \(got "99999"\)$/],
    [
      'an unknown disposition',
      { CONTENT_DISPOSITION: 'maybe' },
      /^Invalid configuration: CONTENT_DISPOSITION must be "inline" or "attachment"/,
    ],
    [
      'private mode with neither keys nor tokens',
      { ACCESS: 'private' },
      /^Invalid configuration: ACCESS "private" needs SIGNING_KEYS or API_TOKENS/,
    ],
    [
      'a signing key shorter than 32 bytes',
      { SIGNING_KEYS: 'k1:c2hvcnQtc2VjcmV0' },
      /^Invalid configuration: SIGNING_KEYS key k1: the secret is 12 bytes/,
    ],
    [
      'a malformed token line',
      { API_TOKENS: 'ci:plain-token' },
      /^Invalid configuration: API_TOKENS entry 1 \(ci\) must hold the 64-digit hex SHA-256/,
    ],
  ])('exits non-zero with one clear line for %s', async (_name, env, message) => {
    const { status, stderr } = await start(env);
    expect(status).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  describe('a PORT or HOST that validates but cannot be listened on: one line naming it, nothing else, exit 1', () => {
    let held: Server;
    let heldPort: number;
    beforeAll(async () => {
      held = createServer();
      await new Promise<void>((done) => held.listen(0, '127.0.0.1', done));
      heldPort = (held.address() as { port: number }).port;
    });
    afterAll(() => new Promise((done) => held.close(done)));

    const cases: Array<[string, () => Record<string, string>, RegExp]> = [
      [
        'a PORT already in use',
        () => ({ PORT: String(heldPort) }),
        /^Invalid configuration: PORT \d+ is already in use on "127\.0\.0\.1" \(EADDRINUSE\)$/,
      ],
      [
        // A label longer than 63 bytes: the resolver refuses it without sending a query anywhere.
        'a HOST that cannot be resolved',
        () => ({ HOST: `${'a'.repeat(64)}.invalid` }),
        /^Invalid configuration: HOST "a{64}\.invalid" cannot be resolved to an address \(ENOTFOUND\)$/,
      ],
      [
        // TEST-NET-1 (RFC 5737): never an address of this machine; binding fails locally, nothing is sent.
        'a HOST that is not an address of this machine',
        () => ({ HOST: '192.0.2.1' }),
        /^Invalid configuration: HOST "192\.0\.2\.1" is not an address of this machine, so it cannot be bound \(EADDRNOTAVAIL\)$/,
      ],
    ];
    test.each(cases)('%s', async (_name, env, message) => {
      for (const workers of ['1', '2']) {
        const { status, stdout, stderr } = await start({ ...env(), WORKERS: workers });
        expect({ workers, status, stderr }).toEqual({ workers, status: 1, stderr: expect.stringMatching(message) as string });
        // Not Nest's start-up log ("...successfully started") ahead of the error.
        expect(stdout).toBe('');
      }
    });
  });

  it('starts with the shipped files/ folder by default and serves its sample', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: '' });
    try {
      const res = await fetch(`${server.url}/hello.txt`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('resumable download service');
    } finally {
      await server.stop();
    }
  });
});
