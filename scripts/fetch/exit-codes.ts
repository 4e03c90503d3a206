/** Exit codes of `npm run fetch`, also used by the tests. */
export const EXIT = { ok: 0, failed: 1, interrupted: 2, mismatch: 3, noDigest: 4, cannotConnect: 5, expired: 6 } as const;

/** A failure that ends the run with `exitCode` and its message as one line. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
