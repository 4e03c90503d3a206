/** Bytes as a person reads them: 1023 B, 1.5 KiB, 12.3 MiB, 4.00 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A duration in whole seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export interface ProgressSample {
  /** Bytes in FILE.part now (including what earlier runs fetched). */
  readonly have: number;
  readonly size: number;
  /** Bytes fetched by this run, and the seconds it has been fetching. */
  readonly fetched: number;
  readonly seconds: number;
}

/** `12.3 MiB of 100.0 MiB (12%), 4.1 MiB/s, ETA 0:21`: the rate is this run's, the ETA follows from it. */
export function formatProgress({ have, size, fetched, seconds }: ProgressSample): string {
  const percent = size === 0 ? 100 : Math.floor((have / size) * 100);
  const rate = seconds > 0 ? fetched / seconds : 0;
  const eta = rate > 0 ? formatDuration((size - have) / rate) : '?';
  return `${formatBytes(have)} of ${formatBytes(size)} (${percent}%), ${formatBytes(rate)}/s, ETA ${eta}`;
}

/**
 * Reports progress: on a terminal one line rewritten in place a few times a second; elsewhere (a
 * log, a CI job) a full line every `intervalMs`.
 */
export class ProgressReporter {
  private readonly startedAt = Date.now();
  private lastAt = Date.now();
  private drawn = false;

  constructor(
    private readonly out: { isTTY?: boolean; write(text: string): unknown },
    private readonly intervalMs: number,
    private readonly baseline: number,
  ) {}

  update(have: number, size: number, force = false): void {
    const now = Date.now();
    const every = this.out.isTTY ? 250 : this.intervalMs;
    if (!force && now - this.lastAt < every) return;
    this.lastAt = now;
    const line = formatProgress({ have, size, fetched: have - this.baseline, seconds: (now - this.startedAt) / 1000 });
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2Kfetch: ${line}`);
      this.drawn = true;
    } else this.out.write(`fetch: ${line}\n`);
  }

  /** Ends the in-place line, so the next message starts on a line of its own. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
