import { sha256, TempRoot } from '../support/fixtures.js';
import { download } from '../support/raw-http.js';
import { LoadBalancer } from '../support/haproxy.js';
import { ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

const INSTANCES = 3;

/** Lines of each instance's access log that carry `requestId`. */
function instancesThatLogged(servers: ServerProcess[], requestId: string): number[] {
  return servers.flatMap((server, index) => (server.logs.includes(`"requestId":"${requestId}"`) ? [index + 1] : []));
}

/**
 * Several replicas over one shared folder behind a round-robin load balancer (HAProxy, a Debian
 * package, on loopback): a download interrupted on one instance resumes byte-exactly on another.
 */
describe('scale-out behind HAProxy', () => {
  const root = new TempRoot();
  const work = new TempRoot();
  const servers: ServerProcess[] = [];
  let balancer: LoadBalancer | undefined;
  let proxyPort: number;
  let file: Buffer;

  beforeAll(async () => {
    file = root.writeRandom('large.bin', 24 * 1024 * 1024 + 333);
    for (let index = 0; index < INSTANCES; index += 1)
      servers.push(await ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'info' }));
    balancer = await LoadBalancer.start(servers, work.path);
    proxyPort = balancer.port;
  }, 120_000);

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(servers.map((server) => server.stop()));
    root.cleanup();
    work.cleanup();
  });

  it('every instance sends the same ETag and Last-Modified for the file on the shared folder', async () => {
    const validators = await Promise.all(
      servers.map(async (server) => {
        const res = await fetch(`${server.url}/large.bin`, { method: 'HEAD' });
        return { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
      }),
    );
    expect(validators[0].etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    for (const each of validators) expect(each).toEqual(validators[0]);
  });

  it('resumes a half-done download on another instance with If-Range and the saved ETag, byte-exactly', async () => {
    const half = Math.floor(file.length / 2);
    const first = await download(`http://127.0.0.1:${proxyPort}/large.bin`, {
      headers: { 'X-Request-Id': 'scale-first' },
      stopAfter: half,
    });
    expect(first.status).toBe(200);
    expect(first.body.length).toBeGreaterThanOrEqual(half);
    expect(first.body.length).toBeLessThan(file.length);
    const etag = first.headers['etag'] as string;
    const lastModified = first.headers['last-modified'] as string;

    const resumed = await download(`http://127.0.0.1:${proxyPort}/large.bin`, {
      headers: { Range: `bytes=${first.body.length}-`, 'If-Range': etag, 'X-Request-Id': 'scale-resume' },
    });
    expect(resumed.status).toBe(206);
    expect(resumed.headers['content-range']).toBe(`bytes ${first.body.length}-${file.length - 1}/${file.length}`);
    expect(resumed.headers['etag']).toBe(etag);
    expect(resumed.headers['last-modified']).toBe(lastModified);

    // Really another instance: the proxy says so, and so do the instances' own access logs.
    const firstServer = first.headers['x-served-by'];
    const resumedServer = resumed.headers['x-served-by'];
    expect(firstServer).toMatch(/^instance[1-3]$/);
    expect(resumedServer).toMatch(/^instance[1-3]$/);
    expect(resumedServer).not.toBe(firstServer);
    await until(
      () => instancesThatLogged(servers, 'scale-resume').length === 1 && instancesThatLogged(servers, 'scale-first').length === 1,
      'the access lines',
      { timeoutMs: 30_000 },
    );
    expect(instancesThatLogged(servers, 'scale-first')).toEqual([Number(String(firstServer).slice(-1))]);
    expect(instancesThatLogged(servers, 'scale-resume')).toEqual([Number(String(resumedServer).slice(-1))]);

    const whole = Buffer.concat([first.body, resumed.body]);
    expect(whole.length).toBe(file.length);
    expect(sha256(whole)).toBe(sha256(file));
  });

  it('balances round-robin: consecutive requests visit every instance', async () => {
    const seen = new Set<string>();
    for (let index = 0; index < INSTANCES; index += 1) {
      const res = await download(`http://127.0.0.1:${proxyPort}/large.bin`, { headers: { Range: 'bytes=0-9' } });
      expect(res.status).toBe(206);
      expect(res.body).toEqual(file.subarray(0, 10));
      seen.add(String(res.headers['x-served-by']));
    }
    expect(seen.size).toBe(INSTANCES);
  });
});
