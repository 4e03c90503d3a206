import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';

/** The compiled service as production starts it: `node dist/main.js`. */
describe('start-up configuration', () => {
  const root = new TempRoot();
  afterAll(() => root.cleanup());

  function start(env: Record<string, string>): { status: number | null; stderr: string } {
    const result = spawnSync('node', [resolve('dist/main.js')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', FILES_ROOT: root.path, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: result.status, stderr: result.stderr.trim() };
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
  ])('exits non-zero with one clear line for %s', (_name, env, message) => {
    const { status, stderr } = start(env);
    expect(status).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
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
