import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';

describe('settings of one app', () => {
  const root = new TempRoot();
  afterAll(() => root.cleanup());

  it('never leak into process.env (and so into the next app or a child process)', async () => {
    expect(process.env.MAX_RANGES).toBeUndefined();
    const { app } = await startApp({ FILES_ROOT: root.path, MAX_RANGES: '3', CONTENT_DISPOSITION: 'attachment' });
    try {
      expect(process.env.MAX_RANGES).toBeUndefined();
      expect(process.env.CONTENT_DISPOSITION).toBeUndefined();
      expect(process.env.FILES_ROOT).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
