import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { formatDigestField, parseWantDigest, selectDigestAlgorithms, type DigestAlgorithm } from '../http/digest-fields.js';
import { versionKey, type LocatedVersion } from '../files/file-version.js';
import { inClusterWorker } from '../operations/cluster-metrics.js';
import { MetricsService } from '../operations/metrics.service.js';
import { ACCESS_LOGGER } from '../operations/request-observer.js';
import { PrimaryDigests } from './cluster-digests.js';
import { DigestCache } from './digest-cache.js';
import { DigestEngine, type DigestSource } from './digest-engine.js';
import type { HashOutcome } from './hash-file.js';
import { MAX_QUEUED_JOBS } from './hash-queue.js';
import { createDigestStore } from './redis-digest-store.js';
import { isSettled, nowNs } from './settle.js';

/**
 * RFC 9530 digests of whole files, never computed on a request's time: a request looks its file's
 * version up in this process's memory cache; when the digest is not there the response goes out
 * without one and the digest is asked for in the background, once per version and algorithm.
 *
 * Who answers: this process's own DigestEngine (memory cache, the optional shared store, then a
 * hash job in a worker thread that checks the file still is that version before and after), or,
 * in a worker of WORKERS > 1, the primary's engine, so that a host hashes each file once; every
 * digest the primary learns reaches every worker's cache.
 *
 * Memory is bounded: at most DIGEST_CACHE_ENTRIES files (one slot per inode, whatever its version),
 * and at most MAX_QUEUED_JOBS waiting jobs.
 */
@Injectable()
export class DigestService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly cache: DigestCache;
  private readonly source: DigestSource;
  /** Set when this process owns the hashing (not a cluster worker). */
  private readonly engine: DigestEngine | undefined;
  /** versionKey|algorithm of every question asked and not answered yet. */
  private readonly inFlight = new Set<string>();
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    @Optional() metrics?: MetricsService,
    @Optional() @Inject(ACCESS_LOGGER) logger?: Logger,
  ) {
    const log = logger ?? pino({ level: 'silent' });
    if (inClusterWorker()) {
      this.cache = new DigestCache(config.digest.cacheEntries);
      this.source = new PrimaryDigests((version, digests) => this.cache.put(version, digests));
    } else {
      this.engine = new DigestEngine({
        roots: config.roots,
        cacheEntries: config.digest.cacheEntries,
        store: config.digest.enabled ? createDigestStore(config.digest.store, log) : undefined,
        events: metrics?.digests,
        logger: log,
      });
      this.cache = this.engine.cache;
      this.source = this.engine;
    }
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

  /** Known digests among `algorithms`, in that order; the missing ones are asked for. */
  known(file: LocatedVersion, algorithms: readonly DigestAlgorithm[]): Array<[DigestAlgorithm, Uint8Array]> {
    const { found, missing } = this.cache.lookup(file.version, algorithms);
    if (missing.length > 0) void this.compute(file, missing);
    return found;
  }

  /**
   * Asks for the digests of `file` (unless already asked), resolving with the outcome. A file changed
   * less than a second ago is not hashed yet: its stamps cannot identify it (see SETTLE_NS).
   */
  compute(file: LocatedVersion, algorithms: readonly DigestAlgorithm[]): Promise<HashOutcome> {
    if (this.stopped || !this.enabled) return Promise.resolve({ kind: 'failed', reason: this.stopped ? 'stopped' : 'DIGEST=off' });
    if (!isSettled(file.version, nowNs())) return Promise.resolve({ kind: 'unsettled' });
    const version = versionKey(file.version);
    const wanted = algorithms.filter((algorithm) => !this.inFlight.has(`${version}|${algorithm}`));
    if (wanted.length === 0) return Promise.resolve({ kind: 'failed', reason: 'already queued' });
    if (this.inFlight.size >= MAX_QUEUED_JOBS) return Promise.resolve({ kind: 'failed', reason: 'queue full' });
    for (const algorithm of wanted) this.inFlight.add(`${version}|${algorithm}`);
    return this.source.compute({ path: file.path, version: file.version, algorithms: wanted }).then((outcome) => {
      for (const algorithm of wanted) this.inFlight.delete(`${version}|${algorithm}`);
      if (outcome.kind === 'hashed') this.cache.put(file.version, outcome.digests);
      return outcome;
    });
  }

  /** Resolves once no question is under way (tests, benchmark, precompute). */
  async whenIdle(): Promise<void> {
    await this.source.whenIdle();
  }

  /** How many files have a digest in this process's memory. */
  get cachedFiles(): number {
    return this.cache.size;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || this.engine === undefined) return;
    this.engine.start();
    if (this.config.digest.precompute) void this.engine.precompute();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.source.stop();
  }
}
