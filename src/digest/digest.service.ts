import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { formatDigestField, parseWantDigest, selectDigestAlgorithms, type DigestAlgorithm } from '../http/digest-fields.js';
import type { WorkerJob, WorkerResult } from './digest.worker.js';
import { filesUnder } from './file-walker.js';
import { inodeKey, sameVersion, versionKey, type FileVersion, type LocatedVersion } from '../files/file-version.js';
import { isSettled, nowNs, SETTLE_NS } from './settle.js';
import type { HashOutcome, HashRequest } from './hash-file.js';

/** Kept small: about 0.6 KB of heap per file, cache bookkeeping included (`npm run bench:digest` weighs it). */
interface CacheEntry {
  /** The version the digests are of: a request's version must be the same (sameVersion) to use them. */
  readonly version: FileVersion;
  /**
   * Digest bytes per algorithm, private copies that are never mutated: every request for this
   * version gets the same arrays, so formatDigestField formats each one once (its memo).
   */
  readonly digests: Partial<Record<DigestAlgorithm, Uint8Array>>;
}

interface QueuedJob {
  readonly request: HashRequest;
  readonly done: (outcome: HashOutcome) => void;
}

/** Requests beyond this many queued hash jobs are dropped (their next request asks again). */
export const MAX_QUEUED_JOBS = 10_000;

/**
 * RFC 9530 digests of whole files, never computed on a request's time: a request looks its file's
 * version up in an LRU cache; when the digest is not there it goes out without one and a hash job
 * is queued for a worker thread. Jobs run one at a time (hashing is disk- and CPU-bound, and one
 * job keeps a core free for serving), are deduplicated per file version and algorithm, and the
 * worker verifies before and after hashing that the file still is that version.
 *
 * Memory is bounded: at most DIGEST_CACHE_ENTRIES files (one slot per inode, whatever its version),
 * and at most MAX_QUEUED_JOBS waiting jobs.
 */
@Injectable()
export class DigestService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DigestService.name);
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly queue: QueuedJob[] = [];
  /** versionKey|algorithm of every job queued or running. */
  private readonly inFlight = new Set<string>();
  private worker: Worker | undefined;
  private running: { id: number; job: QueuedJob } | undefined;
  private nextJobId = 1;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly config: AppConfig) {
    this.cache = new LRUCache({ max: config.digest.cacheEntries });
  }

  get enabled(): boolean {
    return this.config.digest.enabled;
  }

  /**
   * The `Repr-Digest` value for this version of the file, for the algorithms `Want-Repr-Digest`
   * selects; undefined when none of them is known yet (their computation is then queued).
   */
  reprDigest(file: LocatedVersion, wantHeader: string | undefined): string | undefined {
    if (!this.enabled) return undefined;
    const algorithms = selectDigestAlgorithms(parseWantDigest(wantHeader));
    const known = this.known(file, algorithms);
    return known.length > 0 ? formatDigestField(known) : undefined;
  }

  /** Known digests among `algorithms`, in that order; the missing ones are queued. */
  known(file: LocatedVersion, algorithms: readonly DigestAlgorithm[]): Array<[DigestAlgorithm, Uint8Array]> {
    const entry = this.cache.get(inodeKey(file.version));
    const current = entry !== undefined && sameVersion(entry.version, file.version) ? entry : undefined;
    const found: Array<[DigestAlgorithm, Uint8Array]> = [];
    let missing: DigestAlgorithm[] | undefined;
    for (const algorithm of algorithms) {
      const digest = current?.digests[algorithm];
      if (digest === undefined) (missing ??= []).push(algorithm);
      else found.push([algorithm, digest]);
    }
    if (missing !== undefined) void this.compute(file, missing);
    return found;
  }

  /**
   * Queues the hashing of `file` (unless already queued), resolving with the outcome. A file changed
   * less than a second ago is not hashed yet: its stamps cannot identify it (see SETTLE_NS).
   */
  compute(file: LocatedVersion, algorithms: readonly DigestAlgorithm[]): Promise<HashOutcome> {
    if (this.stopped) return Promise.resolve({ kind: 'failed', reason: 'stopped' });
    if (!isSettled(file.version, nowNs())) return Promise.resolve({ kind: 'unsettled' });
    const version = versionKey(file.version);
    const wanted = algorithms.filter((algorithm) => !this.inFlight.has(`${version}|${algorithm}`));
    if (wanted.length === 0) return Promise.resolve({ kind: 'failed', reason: 'already queued' });
    if (this.queue.length >= MAX_QUEUED_JOBS) return Promise.resolve({ kind: 'failed', reason: 'queue full' });
    for (const algorithm of wanted) this.inFlight.add(`${version}|${algorithm}`);
    return new Promise((resolve) => {
      this.queue.push({
        request: { path: file.path, version: file.version, algorithms: wanted },
        done: (outcome) => {
          for (const algorithm of wanted) this.inFlight.delete(`${version}|${algorithm}`);
          if (outcome.kind === 'hashed') this.store(file.version, outcome.digests);
          resolve(outcome);
        },
      });
      this.runNext();
    });
  }

  /** Resolves once no job is queued or running (tests, benchmark, precompute). */
  whenIdle(): Promise<void> {
    if (this.running === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** How many files have a digest in memory. */
  get cachedFiles(): number {
    return this.cache.size;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    // Started now rather than on the first job: the thread's event loop holds descriptors of its own,
    // and a process whose descriptor count jumps mid-traffic would look like it leaks.
    this.ensureWorker();
    if (this.config.digest.precompute) void this.precompute();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const job of this.queue.splice(0)) job.done({ kind: 'failed', reason: 'stopped' });
    const worker = this.worker;
    this.worker = undefined;
    if (this.running) {
      this.running.job.done({ kind: 'failed', reason: 'stopped' });
      this.running = undefined;
    }
    this.settleIdle();
    await worker?.terminate();
  }

  /**
   * DIGEST_PRECOMPUTE: walks the roots and hashes each file once, one after another, so requests
   * that arrive meanwhile still get their jobs run between two precompute jobs. Files changed in
   * the last second are retried once they have settled. Stops at the cache capacity: hashing more
   * files than fit would only evict the first ones.
   */
  private async precompute(): Promise<void> {
    const capacity = this.config.digest.cacheEntries;
    let hashed = 0;
    let unsettled: LocatedVersion[] = [];
    try {
      for await (const file of filesUnder(this.config.roots)) {
        if (this.stopped || hashed + unsettled.length >= capacity) break;
        const outcome = await this.compute(file, ['sha-256']);
        if (outcome.kind === 'hashed') hashed += 1;
        if (outcome.kind === 'unsettled') unsettled.push(file);
      }
      while (unsettled.length > 0 && !this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, Number(SETTLE_NS / 1_000_000n)).unref());
        const retry = unsettled;
        unsettled = [];
        for (const file of retry) {
          if (this.stopped) break;
          const outcome = await this.compute(file, ['sha-256']);
          if (outcome.kind === 'hashed') hashed += 1;
          if (outcome.kind === 'unsettled') unsettled.push(file);
        }
      }
    } catch (error) {
      this.logger.warn(`precompute stopped: ${String(error)}`);
    }
    if (!this.stopped) this.logger.log(`precomputed digests of ${hashed} file(s)`);
  }

  private store(file: FileVersion, digests: ReadonlyArray<readonly [DigestAlgorithm, Uint8Array]>): void {
    const key = inodeKey(file);
    const existing = this.cache.get(key);
    const merged = existing !== undefined && sameVersion(existing.version, file) ? { ...existing.digests } : {};
    // A copy of exactly the digest's bytes: never a view into a larger (pooled) buffer.
    for (const [algorithm, digest] of digests) merged[algorithm] = new Uint8Array(digest);
    this.cache.set(key, { version: file, digests: merged });
  }

  private runNext(): void {
    if (this.running !== undefined || this.stopped) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.settleIdle();
      return;
    }
    const id = this.nextJobId++;
    this.running = { id, job };
    this.ensureWorker().postMessage({ id, request: job.request } satisfies WorkerJob);
  }

  private finish(id: number, outcome: HashOutcome): void {
    if (this.running?.id !== id) return;
    const { job } = this.running;
    this.running = undefined;
    job.done(outcome);
    this.runNext();
  }

  private settleIdle(): void {
    if (this.running !== undefined || this.queue.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(workerScript());
    worker.unref(); // never what keeps the process alive
    worker.on('message', (result: WorkerResult) => this.finish(result.id, result.outcome));
    // A crashed worker fails its job; the next job starts a fresh one.
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.running) this.finish(this.running.id, { kind: 'failed', reason });
    };
    worker.on('error', (error) => {
      this.logger.error(`digest worker failed: ${error.message}`);
      fail('worker error');
    });
    worker.on('exit', (code) => fail(`worker exited with ${code}`));
    this.worker = worker;
    return worker;
  }
}

/**
 * The compiled worker next to this module (dist/digest/). Under Jest this module runs from its
 * TypeScript source, which Node cannot start as a worker, so the build's copy is used instead
 * (`npm test` builds first).
 */
function workerScript(): URL {
  const beside = new URL('./digest.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/digest/digest.worker.js', import.meta.url);
}
