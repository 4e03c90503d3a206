import { LRUCache } from 'lru-cache';

interface Window {
  /** When the first failure of this window happened (ms). */
  readonly start: number;
  count: number;
}

/**
 * Counts failed authentications per client address in fixed windows: once an address has had
 * `limit` failures in a window, its further attempts are refused (429) until that window ends.
 * In memory, so per process (with WORKERS > 1 or several replicas each counts on its own). At
 * most `maxAddresses` are tracked, least recently failing dropped first, so a flood of addresses
 * cannot grow memory without bound. The clock is a parameter.
 */
export class FailureLimiter {
  private readonly windows: LRUCache<string, Window>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    maxAddresses = 100_000,
  ) {
    this.windows = new LRUCache({ max: maxAddresses });
  }

  /** Seconds until `address` may try again, or undefined when it may try now. */
  retryAfter(address: string, nowMs: number): number | undefined {
    if (this.limit === 0) return undefined;
    const window = this.windows.peek(address);
    if (window === undefined || nowMs >= window.start + this.windowMs || window.count < this.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + this.windowMs - nowMs) / 1000));
  }

  recordFailure(address: string, nowMs: number): void {
    if (this.limit === 0) return;
    const window = this.windows.get(address);
    if (window === undefined || nowMs >= window.start + this.windowMs) this.windows.set(address, { start: nowMs, count: 1 });
    else window.count++;
  }
}
