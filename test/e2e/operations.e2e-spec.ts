import type { INestApplication } from '@nestjs/common';
import { renameSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { GracefulShutdown } from '../../src/operations/graceful-shutdown.service.js';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, json } from '../support/http.js';
import { sample } from '../support/metrics.js';
import { until } from '../support/wait.js';

describe('health, readiness and metrics', () => {
  const root = new TempRoot();
  const movable = new TempRoot();
  let app: INestApplication;
  let port: number;
  let big: Buffer;

  beforeAll(async () => {
    root.write('hello.txt', 'hello operations\n');
    big = root.writeRandom('big.bin', 8 * 1024 * 1024);
    // Files named like the operational endpoints: never served, never shadowing them.
    root.write('.healthz', 'SHADOW');
    root.write('.readyz', 'SHADOW');
    root.write('.metrics', 'SHADOW');
    ({ app, port } = await startApp({ FILES_ROOT: `${root.path},${movable.path}`, SHUTDOWN_GRACE_MS: '2000' }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
    movable.cleanup();
  });

  const metrics = async (): Promise<string> => (await fetchFrom(app, '/.metrics')).body.toString();

  it('answers liveness and readiness at dot-paths that a file of the same name cannot shadow', async () => {
    const live = await fetchFrom(app, '/.healthz');
    expect(live.status).toBe(200);
    expect(json(live)).toEqual({ status: 'ok' });
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await fetchFrom(app, '/.readyz');
    expect(ready.status).toBe(200);
    expect(json(ready)).toEqual({ status: 'ok' });
    expect((await fetchFrom(app, '/.metrics')).body.toString()).toContain('# TYPE http_requests_total counter');
    expect((await fetchFrom(app, '/.healthz', { method: 'HEAD' })).status).toBe(200);
  });

  it('still never serves dot-files below or beside the operational paths', async () => {
    for (const path of ['/.healthz/x', '/.metrics.bak', '/.env']) {
      const res = await fetchFrom(app, path);
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain('SHADOW');
    }
  });

  it('fails readiness while a root is gone, and recovers when it is back', async () => {
    const away = `${movable.path}-away`;
    renameSync(movable.path, away);
    try {
      const res = await fetchFrom(app, '/.readyz');
      expect(res.status).toBe(503);
      // Names the root by position only: no path of the server's disk in a response.
      expect(json(res)).toEqual({ status: 'unavailable', reason: 'root 2 is not readable' });
      expect((await fetchFrom(app, '/.healthz')).status).toBe(200);
    } finally {
      renameSync(away, movable.path);
    }
    expect((await fetchFrom(app, '/.readyz')).status).toBe(200);
  });

  it('counts statuses, ranges, multi-ranges and 304s', async () => {
    const before = await metrics();
    const full = await fetchFrom(app, '/hello.txt');
    await fetchFrom(app, '/hello.txt', { headers: { Range: 'bytes=0-4' } });
    await fetchFrom(app, '/hello.txt', { headers: { Range: 'bytes=0-1,4-6' } });
    await fetchFrom(app, '/hello.txt', { headers: { 'If-None-Match': full.headers['etag'] } });
    await fetchFrom(app, '/missing.txt');
    const after = await metrics();
    const delta = (name: string) => sample(after, name) - sample(before, name);
    expect(delta('http_requests_total{method="GET",status="200"}')).toBe(1);
    expect(delta('http_requests_total{method="GET",status="206"}')).toBe(2);
    expect(delta('http_requests_total{method="GET",status="304"}')).toBe(1);
    expect(delta('http_requests_total{method="GET",status="404"}')).toBe(1);
    expect(delta('http_range_responses_total{ranges="single"}')).toBe(1);
    expect(delta('http_range_responses_total{ranges="multiple"}')).toBe(1);
    expect(delta('http_not_modified_total')).toBe(1);
    // At least every body byte, and the headers on top.
    expect(delta('http_response_bytes_total')).toBeGreaterThan(full.body.length + 5 + 7);
    expect(sample(after, 'http_downloads_in_flight')).toBe(0);
    expect(sample(after, 'files_open_handles')).toBe(0);
    // Scrapes and probes are not downloads.
    expect(after).not.toContain('status="503"');
    expect(after).toMatch(/^process_open_fds \d+$/m);
    expect(after).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('shows an in-flight download and its open file handle, then counts it aborted when the client leaves', async () => {
    const abortedBefore = sample(await metrics(), 'http_downloads_aborted_total');
    const response = await new Promise<IncomingMessage>((done, fail) =>
      get({ host: '127.0.0.1', port, path: '/big.bin' }, done).on('error', fail),
    );
    response.pause(); // a slow client: the server blocks on backpressure with the file open
    await until(async () => {
      const now = await metrics();
      return sample(now, 'files_open_handles') === 1 && sample(now, 'http_downloads_in_flight') === 1;
    }, 'one open handle and one in-flight download');
    response.destroy();
    await until(async () => {
      const now = await metrics();
      return sample(now, 'files_open_handles') === 0 && sample(now, 'http_downloads_in_flight') === 0;
    }, 'the handle to be closed');
    expect(sample(await metrics(), 'http_downloads_aborted_total')).toBe(abortedBefore + 1);
    expect(big.length).toBe(8 * 1024 * 1024);
  });

  it('fails readiness once shutdown has begun (liveness stays up)', async () => {
    app.get(GracefulShutdown).startDraining();
    const res = await fetchFrom(app, '/.readyz');
    expect(res.status).toBe(503);
    expect(json(res)).toEqual({ status: 'unavailable', reason: 'shutting down' });
    expect((await fetchFrom(app, '/.healthz')).status).toBe(200);
  });
});
