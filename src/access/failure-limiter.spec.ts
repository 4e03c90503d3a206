import { FailureLimiter } from './failure-limiter.js';

describe('FailureLimiter', () => {
  it('lets an address fail `limit` times in a window, then refuses it until the window ends', () => {
    const limiter = new FailureLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('10.0.0.1', 1000 + i)).toBeUndefined();
      limiter.recordFailure('10.0.0.1', 1000 + i);
    }
    expect(limiter.retryAfter('10.0.0.1', 1003)).toBe(60);
    expect(limiter.retryAfter('10.0.0.1', 30_500)).toBe(31);
    expect(limiter.retryAfter('10.0.0.1', 60_999)).toBe(1);
    expect(limiter.retryAfter('10.0.0.1', 61_000)).toBeUndefined();
    limiter.recordFailure('10.0.0.1', 61_000); // a new window
    expect(limiter.retryAfter('10.0.0.1', 61_001)).toBeUndefined();
  });

  it('counts each address on its own', () => {
    const limiter = new FailureLimiter(1, 60_000);
    limiter.recordFailure('a', 0);
    expect(limiter.retryAfter('a', 1)).toBe(60);
    expect(limiter.retryAfter('b', 1)).toBeUndefined();
  });

  it('is off with a limit of 0', () => {
    const limiter = new FailureLimiter(0, 60_000);
    for (let i = 0; i < 100; i++) limiter.recordFailure('a', i);
    expect(limiter.retryAfter('a', 100)).toBeUndefined();
  });

  it('tracks at most maxAddresses, forgetting the least recent', () => {
    const limiter = new FailureLimiter(1, 60_000, 2);
    limiter.recordFailure('a', 0);
    limiter.recordFailure('b', 0);
    limiter.recordFailure('c', 0);
    expect(limiter.retryAfter('a', 1)).toBeUndefined();
    expect(limiter.retryAfter('b', 1)).toBe(60);
    expect(limiter.retryAfter('c', 1)).toBe(60);
  });
});
