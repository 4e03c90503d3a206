import { TempRoot } from '../support/fixtures.js';
import { download, rawRequest } from '../support/raw-http.js';
import { ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** The JSON lines the service printed, parsed; any line that is not JSON fails the test. */
function logLines(server: ServerProcess): LogLine[] {
  return server.logs
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

describe('structured access logs', () => {
  const root = new TempRoot();
  let server: ServerProcess;
  let quiet: ServerProcess;

  beforeAll(async () => {
    root.write('hello.txt', 'hello access log\n');
    root.writeRandom('big.bin', 16 * 1024 * 1024);
    [server, quiet] = await Promise.all([
      ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'info' }),
      ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'warn' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), quiet?.stop()]);
    root.cleanup();
  });

  const accessLine = (target: ServerProcess, requestId: string): LogLine | undefined =>
    logLines(target).find((line) => line.msg === 'request' && line['requestId'] === requestId);

  it('writes every line as JSON, one access line per request with exactly the documented fields', async () => {
    const res = await fetch(`${server.url}/hello.txt?x=1`, {
      headers: {
        Range: 'bytes=0-4',
        'X-Request-Id': 'test-range-1',
        'User-Agent': 'access-log-test/1.0',
        'X-Forwarded-For': '203.0.113.9',
      },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('x-request-id')).toBe('test-range-1');
    expect(await res.text()).toBe('hello');
    await until(() => accessLine(server, 'test-range-1') !== undefined, 'the access line');
    const line = accessLine(server, 'test-range-1') as LogLine;
    const { level, time, pid, msg, ...fields } = line;
    expect({ level, msg, pid }).toEqual({ level: 30, msg: 'request', pid: server.child.pid });
    expect(typeof time).toBe('number');
    expect(Object.keys(fields).sort()).toEqual([
      'aborted',
      'auth',
      'authDenied',
      'bytesSent',
      'clientAddress',
      'durationMs',
      'method',
      'path',
      'range',
      'requestId',
      'status',
      'userAgent',
    ]);
    expect(fields).toMatchObject({
      method: 'GET',
      path: '/hello.txt',
      status: 206,
      range: 'bytes=0-4',
      aborted: false,
      requestId: 'test-range-1',
      auth: 'public',
      authDenied: null,
      userAgent: 'access-log-test/1.0',
      // TRUST_PROXY is off: the socket's peer, whatever X-Forwarded-For claims.
      clientAddress: '127.0.0.1',
    });
    // Status line and headers plus the 5 body bytes.
    expect(fields['bytesSent']).toBeGreaterThan(5);
    expect(fields['bytesSent']).toBeLessThan(1024);
    expect(typeof fields['durationMs']).toBe('number');
  });

  it('logs null for a missing User-Agent', async () => {
    // fetch always sends a User-Agent; a raw request does not have to.
    await rawRequest(server.port, 'GET /hello.txt HTTP/1.1', ['X-Request-Id: test-no-agent']);
    await until(() => accessLine(server, 'test-no-agent') !== undefined, 'the access line');
    expect(accessLine(server, 'test-no-agent')).toMatchObject({ userAgent: null, clientAddress: '127.0.0.1' });
  });

  it('with TRUST_PROXY=true takes the client address from the entry the proxy appended to X-Forwarded-For', async () => {
    const proxied = await ServerProcess.start({ FILES_ROOT: root.path, LOG_LEVEL: 'info', TRUST_PROXY: 'true' });
    try {
      // A client-written entry first, then the one the (single, trusted) proxy appended.
      await fetch(`${proxied.url}/hello.txt`, {
        headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9', 'X-Request-Id': 'test-xff-1' },
      }).then((res) => res.text());
      await fetch(`${proxied.url}/hello.txt`, { headers: { 'X-Request-Id': 'test-xff-2' } }).then((res) => res.text());
      await until(() => accessLine(proxied, 'test-xff-2') !== undefined, 'the access lines');
      expect(accessLine(proxied, 'test-xff-1')).toMatchObject({ clientAddress: '203.0.113.9' });
      // No header: the peer itself.
      expect(accessLine(proxied, 'test-xff-2')).toMatchObject({ clientAddress: '127.0.0.1' });
    } finally {
      await proxied.stop();
    }
  });

  it('generates a request id when the client sends none (or an unusable one)', async () => {
    const res = await fetch(`${server.url}/missing.txt`, { headers: { 'X-Request-Id': 'no spaces allowed' } });
    expect(res.status).toBe(404);
    const id = res.headers.get('x-request-id') as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => accessLine(server, id) !== undefined, 'the access line');
    expect(accessLine(server, id)).toMatchObject({ status: 404, range: null, aborted: false, path: '/missing.txt' });
  });

  it('marks a download the client abandoned as aborted, with the bytes actually sent', async () => {
    const interrupted = await download(`${server.url}/big.bin`, { headers: { 'X-Request-Id': 'test-abort-1' }, stopAfter: 1024 * 1024 });
    expect(interrupted.complete).toBe(false);
    await until(() => accessLine(server, 'test-abort-1') !== undefined, 'the access line');
    const line = accessLine(server, 'test-abort-1') as LogLine;
    expect(line).toMatchObject({ status: 200, aborted: true });
    expect(line['bytesSent']).toBeGreaterThanOrEqual(1024 * 1024);
    expect(line['bytesSent']).toBeLessThan(16 * 1024 * 1024);
  });

  it('keeps probes out of the info log and follows LOG_LEVEL', async () => {
    const probe = await fetch(`${server.url}/.healthz`, { headers: { 'X-Request-Id': 'test-probe-1' } });
    expect(probe.status).toBe(200);
    const ok = await fetch(`${quiet.url}/hello.txt`, { headers: { 'X-Request-Id': 'test-quiet-1' } });
    expect(ok.status).toBe(200);
    await ok.text();
    // Let a later line prove the earlier ones would have been written by now.
    await fetch(`${server.url}/hello.txt`, { headers: { 'X-Request-Id': 'test-after-1' } }).then((res) => res.text());
    await until(() => accessLine(server, 'test-after-1') !== undefined, 'the later access line');
    expect(accessLine(server, 'test-probe-1')).toBeUndefined();
    expect(accessLine(quiet, 'test-quiet-1')).toBeUndefined();
    expect(logLines(quiet).every((line) => line.level >= 40)).toBe(true);
  });
});
