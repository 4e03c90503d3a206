import type { Redis } from 'ioredis';
import type { DigestStoreSettings } from '../config/app-config.js';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import type { Digests } from './digest-cache.js';
import type { DigestLogger } from './digest-engine.js';
import { parseStoredDigest, type DigestStore } from './digest-store.js';

/** A command that takes longer than this counts as a failure: the file is hashed instead. */
const COMMAND_TIMEOUT_MS = 1_000;
/** Reconnection attempts back off up to this delay, and never stop. */
const MAX_RECONNECT_DELAY_MS = 5_000;

const REDIS_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
};

/**
 * DIGEST_STORE on Redis (ioredis). Redis only accelerates: while it is unreachable (at start-up or
 * lost later) every lookup is a miss at once (no offline queue, so nothing waits for it) and the
 * service hashes with its local cache as without a store; one warning is logged per outage,
 * ioredis reconnects in the background, and readiness never depends on it. Each digest is one
 * key, `<storeKey>:<algorithm>` → base64, written with the TTL and validated when read.
 */
export class RedisDigestStore implements DigestStore {
  private redis: Redis | undefined;
  private ready = false;
  private warned = false;
  private stopped = false;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly settings: DigestStoreSettings,
    private readonly logger: DigestLogger,
  ) {}

  /** host:port/db, never the password. */
  get where(): string {
    const url = new URL(this.settings.url);
    return `${url.hostname}:${url.port || '6379'}${url.pathname === '' || url.pathname === '/' ? '/0' : url.pathname}`;
  }

  start(): void {
    // ioredis and its dependencies take about 10 MiB of resident memory once loaded: loaded only
    // when a store is configured. Until it is connected every lookup is a miss anyway.
    this.loading = import('ioredis').then(
      ({ Redis }) => {
        if (!this.stopped) this.connect(new Redis(this.settings.url, REDIS_OPTIONS));
      },
      (error: unknown) =>
        this.logger.warn(
          { context: 'DigestStore', store: this.where, reason: describe(error) },
          'digest store unavailable: ioredis did not load',
        ),
    );
  }

  private connect(redis: Redis): void {
    redis.on('ready', () => {
      this.ready = true;
      this.logger.info({ context: 'DigestStore', store: this.where, recovered: this.warned }, 'digest store connected');
      this.warned = false;
    });
    redis.on('error', (error: Error & { code?: string }) => this.lost(error.code ?? error.message));
    redis.on('close', () => this.lost('connection closed'));
    this.redis = redis;
    redis.connect().catch((error: Error & { code?: string }) => this.lost(error.code ?? error.message));
  }

  async get(key: string, algorithms: readonly DigestAlgorithm[]): Promise<Digests> {
    if (!this.ready || this.redis === undefined || algorithms.length === 0) return [];
    try {
      const values = await this.redis.mget(algorithms.map((algorithm) => `${key}:${algorithm}`));
      return algorithms.flatMap((algorithm, index) => {
        const digest = parseStoredDigest(algorithm, values[index]);
        return digest === undefined ? [] : [[algorithm, digest] as const];
      });
    } catch (error) {
      this.lost(describe(error));
      return [];
    }
  }

  async put(key: string, digests: Digests): Promise<void> {
    if (!this.ready || this.redis === undefined || digests.length === 0) return;
    try {
      const batch = this.redis.multi();
      for (const [algorithm, digest] of digests)
        batch.set(`${key}:${algorithm}`, Buffer.from(digest).toString('base64'), 'EX', this.settings.ttlSeconds);
      await batch.exec();
    } catch (error) {
      this.lost(describe(error));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loading;
    const redis = this.redis;
    this.redis = undefined;
    this.ready = false;
    if (redis === undefined) return;
    redis.removeAllListeners();
    redis.on('error', () => undefined);
    redis.disconnect();
    await Promise.resolve();
  }

  /** Marks the store unusable; the first time per outage, says so. */
  private lost(reason: string): void {
    if (this.redis === undefined) return; // stopping
    this.ready = false;
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      { context: 'DigestStore', store: this.where, reason },
      'digest store unreachable: serving with the local digest cache, reconnecting in the background',
    );
  }
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/** The configured store, if DIGEST_STORE names one. */
export function createDigestStore(settings: DigestStoreSettings | undefined, logger: DigestLogger): DigestStore | undefined {
  return settings === undefined ? undefined : new RedisDigestStore(settings, logger);
}
