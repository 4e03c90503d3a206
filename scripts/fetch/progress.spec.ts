import { formatBytes, formatDuration, formatProgress, ProgressReporter } from './progress.js';

describe('the progress line', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [12.3 * 1024 * 1024, '12.3 MiB'],
    [4 * 1024 ** 3, '4.00 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test.each([
    [0, '0:00'],
    [59.4, '0:59'],
    [61, '1:01'],
    [3600 + 62, '1:01:02'],
  ])('formats %d s as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('shows bytes, share, this run’s rate and the time left at that rate', () => {
    const mib = 1024 * 1024;
    expect(formatProgress({ have: 30 * mib, size: 100 * mib, fetched: 20 * mib, seconds: 4 })).toBe(
      '30.0 MiB of 100.0 MiB (30%), 5.00 MiB/s, ETA 0:14',
    );
  });

  it('has no ETA before any byte arrived', () => {
    expect(formatProgress({ have: 0, size: 10, fetched: 0, seconds: 0 })).toBe('0 B of 10 B (0%), 0 B/s, ETA ?');
  });

  it('rewrites one line on a terminal, and writes whole lines elsewhere', () => {
    const terminal: string[] = [];
    const tty = new ProgressReporter({ isTTY: true, write: (text: string) => terminal.push(text) }, 5000, 0);
    tty.update(5, 10, true);
    tty.done();
    // Carriage return and "erase line" (ESC [2K), then the line.
    expect(terminal[0].startsWith('\r\u001b[2Kfetch: 5 B of 10 B (50%)')).toBe(true);
    expect(terminal[1]).toBe('\n');

    const log: string[] = [];
    const plain = new ProgressReporter({ isTTY: false, write: (text: string) => log.push(text) }, 5000, 0);
    plain.update(5, 10); // too soon after the start: nothing yet
    plain.update(10, 10, true);
    plain.done();
    expect(log).toEqual([expect.stringMatching(/^fetch: 10 B of 10 B \(100%\), .*\n$/) as string]);
  });
});
