import type { INestApplication } from '@nestjs/common';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom } from '../support/http.js';

describe('CACHE_CONTROL', () => {
  const root = new TempRoot();
  beforeAll(() => root.write('hello.txt', 'hello'));
  afterAll(() => root.cleanup());

  async function cacheControlOf(env: Record<string, string>, path: string, method: 'GET' | 'HEAD' = 'GET'): Promise<string | undefined> {
    const { app } = (await startApp({ FILES_ROOT: root.path, ...env })) as { app: INestApplication };
    try {
      return (await fetchFrom(app, path, { method })).headers['cache-control'];
    } finally {
      await app.close();
    }
  }

  it('is sent as set on file responses at plain URLs', async () => {
    expect(await cacheControlOf({ CACHE_CONTROL: 'public, max-age=60' }, '/hello.txt')).toBe('public, max-age=60');
    expect(await cacheControlOf({ CACHE_CONTROL: 'no-cache' }, '/hello.txt', 'HEAD')).toBe('no-cache');
  });

  it('is not sent at all when unset', async () => {
    expect(await cacheControlOf({}, '/hello.txt')).toBeUndefined();
  });
});
