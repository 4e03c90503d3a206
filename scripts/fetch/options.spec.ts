import { EXIT } from './exit-codes.js';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('names FILE after the URL, resolved where the user ran the command', () => {
    expect(parseOptions(['http://h:3000/a/b%20c.iso'], '/home/me')).toMatchObject({
      url: 'http://h:3000/a/b%20c.iso',
      file: '/home/me/b c.iso',
      parallel: 1,
      retries: 5,
      digestWaitMs: 30_000,
      progressEveryMs: 5_000,
      force: false,
    });
    expect(parseOptions(['http://h/x', 'out.bin'], '/tmp')).toMatchObject({ file: '/tmp/out.bin' });
    expect(parseOptions(['http://h/'], '/tmp')).toMatchObject({ file: '/tmp/download' });
    expect(parseOptions(['http://h/%E0%A4%A'], '/tmp')).toMatchObject({ file: '/tmp/%E0%A4%A' });
  });

  it('reads the options', () => {
    expect(parseOptions(['-p', '8', '--retries', '0', '--force', '--progress-every', '0.5', 'http://h/x'], '/')).toMatchObject({
      parallel: 8,
      retries: 0,
      force: true,
      progressEveryMs: 500,
    });
    expect(parseOptions(['--help'], '/')).toBe('help');
    expect(parseOptions([], '/')).toBeUndefined();
  });

  test.each([
    [['-p', '0', 'http://h/x'], /--parallel/],
    [['-p', '65', 'http://h/x'], /--parallel/],
    [['--retries', '-1', 'http://h/x'], /--retries/],
    [['--digest-wait', 'soon', 'http://h/x'], /--digest-wait/],
    [['--progress-every', '0', 'http://h/x'], /--progress-every/],
    [['not a url'], /not a URL/],
    [['ftp://h/x'], /not an http/],
    [['--nonsense', 'http://h/x'], /nonsense/],
  ])('refuses %j with exit 1', (argv, message) => {
    expect(() => parseOptions(argv, '/')).toThrow(message);
    try {
      parseOptions(argv, '/');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(EXIT.failed);
    }
  });
});
