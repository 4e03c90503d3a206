import { performance } from 'node:perf_hooks';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import { versionKey, type LocatedVersion } from '../files/file-version.js';
import { DigestCache, type Digests } from './digest-cache.js';
import { pathBelowRoot, storeKey, type DigestStore } from './digest-store.js';
import { filesUnder } from './file-walker.js';
import type { HashOutcome, HashRequest } from './hash-file.js';
import { HashQueue } from './hash-queue.js';
import { isSettled, nowNs, SETTLE_NS } from './settle.js';

/** What the engine reports, for the metrics (plain callbacks: the engine also runs in the cluster's primary). */
export interface DigestEvents {
  /** A hash job ran in the worker thread. */
  hashJob(outcome: HashOutcome['kind']): void;
  /** The shared store was asked: every wanted digest found there, or not. */
  storeLookup(result: 'hit' | 'miss'): void;
}

/** The pino methods the engine logs with. */
export interface DigestLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Whoever answers a process's digest questions: the engine itself, or the cluster's primary for a worker. */
export interface DigestSource {
  compute(request: HashRequest): Promise<HashOutcome>;
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

export interface DigestEngineOptions {
  readonly roots: readonly string[];
  readonly cacheEntries: number;
  readonly store?: DigestStore;
  readonly events?: DigestEvents;
  readonly logger: DigestLogger;
}

/** How often DIGEST_PRECOMPUTE logs its progress. */
export const PRECOMPUTE_PROGRESS_MS = 5_000;

/**
 * The one place a process tree computes digests (the single process, or the primary of
 * WORKERS > 1): its memory cache, then the shared store (DIGEST_STORE) if any, then a hash job in
 * the worker thread, whose result goes to both. Requests for the same version and algorithms are
 * merged while one is under way, so a file is hashed once however many requests (or workers) ask.
 */
export class DigestEngine implements DigestSource {
  readonly cache: DigestCache;
  private readonly hashes: HashQueue;
  private readonly pending = new Map<string, Promise<HashOutcome>>();
  private stopped = false;

  constructor(private readonly options: DigestEngineOptions) {
    this.cache = new DigestCache(options.cacheEntries);
    this.hashes = new HashQueue({
      jobDone: (outcome) => options.events?.hashJob(outcome.kind),
      workerError: (message) => options.logger.error({ context: 'DigestEngine' }, message),
    });
  }

  start(): void {
    this.hashes.start();
    this.options.store?.start();
  }

  /** The digests of `request.version` for `request.algorithms`, from wherever they are known, or hashed now. */
  compute(request: HashRequest): Promise<HashOutcome> {
    if (this.stopped) return Promise.resolve({ kind: 'failed', reason: 'stopped' });
    if (!isSettled(request.version, nowNs())) return Promise.resolve({ kind: 'unsettled' });
    const { found, missing } = this.cache.lookup(request.version, request.algorithms);
    if (missing.length === 0) return Promise.resolve({ kind: 'hashed', digests: found });
    const key = `${versionKey(request.version)}|${missing.join(',')}`;
    const underWay = this.pending.get(key);
    if (underWay !== undefined) return underWay.then((outcome) => withKnown(outcome, found));
    if (this.hashes.full) return Promise.resolve({ kind: 'failed', reason: 'queue full' });
    const work = this.fetchOrHash({ ...request, algorithms: missing }).finally(() => this.pending.delete(key));
    this.pending.set(key, work);
    return work.then((outcome) => withKnown(outcome, found));
  }

  whenIdle(): Promise<void> {
    return Promise.all([...this.pending.values()]).then(() => this.hashes.whenIdle());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.hashes.stop(), this.options.store?.stop()]);
  }

  /**
   * DIGEST_PRECOMPUTE: walks the roots and hashes each file once, one after another, so requests
   * that arrive meanwhile still get their jobs run between two precompute jobs. Files changed in
   * the last second are retried once they have settled. Stops at the cache capacity: hashing more
   * files than fit would only evict the first ones. Logs its start, its progress every few
   * seconds and its end, with the files and bytes done.
   */
  async precompute(): Promise<void> {
    const { logger, roots, cacheEntries: capacity } = this.options;
    const started = performance.now();
    let lastReport = started;
    const done = { files: 0, bytes: 0 };
    logger.info({ context: 'DigestPrecompute', roots: roots.length, maxFiles: capacity }, 'digest precompute started');
    let unsettled: LocatedVersion[] = [];
    const one = async (file: LocatedVersion): Promise<void> => {
      const outcome = await this.compute({ path: file.path, version: file.version, algorithms: ['sha-256'] });
      if (outcome.kind === 'hashed') {
        done.files += 1;
        done.bytes += file.version.size;
      }
      if (outcome.kind === 'unsettled') unsettled.push(file);
      if (performance.now() - lastReport >= PRECOMPUTE_PROGRESS_MS) {
        lastReport = performance.now();
        logger.info({ context: 'DigestPrecompute', ...done, elapsedMs: Math.round(lastReport - started) }, 'digest precompute progress');
      }
    };
    try {
      for await (const file of filesUnder(roots)) {
        if (this.stopped || done.files + unsettled.length >= capacity) break;
        await one(file);
      }
      while (unsettled.length > 0 && !this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, Number(SETTLE_NS / 1_000_000n)).unref());
        const retry = unsettled;
        unsettled = [];
        for (const file of retry) {
          if (this.stopped) break;
          await one(file);
        }
      }
    } catch (error) {
      logger.warn({ context: 'DigestPrecompute', ...done }, `digest precompute stopped: ${String(error)}`);
      return;
    }
    if (this.stopped) return;
    logger.info({ context: 'DigestPrecompute', ...done, durationMs: Math.round(performance.now() - started) }, 'digest precompute done');
  }

  private async fetchOrHash(request: HashRequest): Promise<HashOutcome> {
    const { store, roots } = this.options;
    const below = store === undefined ? undefined : pathBelowRoot(roots, request.path);
    const key = below === undefined ? undefined : storeKey(below, request.version);
    let stored: Digests = [];
    if (store !== undefined && key !== undefined) {
      stored = await store.get(key, request.algorithms);
      this.options.events?.storeLookup(stored.length === request.algorithms.length ? 'hit' : 'miss');
      if (stored.length > 0) this.cache.put(request.version, stored);
      if (stored.length === request.algorithms.length) return { kind: 'hashed', digests: stored };
    }
    const toHash = request.algorithms.filter((algorithm) => !stored.some(([known]) => known === algorithm));
    const outcome = await this.hashes.hash({ ...request, algorithms: toHash });
    if (outcome.kind !== 'hashed') return outcome;
    this.cache.put(request.version, outcome.digests);
    if (store !== undefined && key !== undefined) void store.put(key, outcome.digests);
    return { kind: 'hashed', digests: [...stored, ...outcome.digests] };
  }
}

/** An outcome with the digests that were already known added in front (in the order asked). */
function withKnown(outcome: HashOutcome, known: Array<[DigestAlgorithm, Uint8Array]>): HashOutcome {
  if (known.length === 0 || outcome.kind !== 'hashed') return outcome;
  return { kind: 'hashed', digests: [...known, ...outcome.digests] };
}
