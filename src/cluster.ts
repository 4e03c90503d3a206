import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { AppConfig } from './config/app-config.js';
import { describeListenError, type ListenFailure } from './config/listen-error.js';
import { serveDigests } from './digest/cluster-digests.js';
import { DigestEngine } from './digest/digest-engine.js';
import { createDigestStore } from './digest/redis-digest-store.js';
import { serveClusterMetrics } from './operations/cluster-metrics.js';
import { DigestMetrics } from './operations/digest-metrics.js';

export interface PrimaryOptions {
  readonly workers: number;
  readonly config: AppConfig;
  /** JSON lines like every worker's (LOG_LEVEL applies). */
  readonly logger: Logger;
}

/**
 * Binds and releases `port` on `host` once, so that a port in use or a host that cannot be bound
 * is one clear line from the primary rather than the same error from every worker.
 */
function checkListen(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: ListenFailure) => reject(describeListenError(error, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * WORKERS > 1: this (primary) process serves no request itself; it forks `workers` copies of the
 * service that share the listening socket (node:cluster hands each accepted connection to one of
 * them), owns the digest hashing for all of them (src/digest/cluster-digests.ts), answers their
 * metric scrapes with the aggregate of the whole tree, replaces a worker that dies, and on
 * SIGTERM/SIGINT passes the signal on to every worker and exits once all have finished their own
 * shutdown.
 */
export async function runPrimary({ workers: count, config, logger }: PrimaryOptions): Promise<void> {
  await checkListen(config.port, config.host);
  // Structured clone over IPC: digests (Uint8Array) and file versions (bigint) pass as they are.
  cluster.setupPrimary({ serialization: 'advanced' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (config.digest.enabled) {
    const engine = new DigestEngine({
      roots: config.roots,
      cacheEntries: config.digest.cacheEntries,
      store: createDigestStore(config.digest.store, logger),
      events: new DigestMetrics(registry),
      logger,
    });
    engine.start();
    serveDigests(engine);
    if (config.digest.precompute) void engine.precompute();
  }
  serveClusterMetrics(registry);
  let stopping = false;
  const fork = (): Worker => cluster.fork();

  const listening = new Set<number>();
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!listening.has(worker.id)) {
      // It failed while starting (its own message is on stderr): another would fail the same way.
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    logger.error({ context: 'Cluster', worker: worker.process.pid, exit: signal ?? code }, 'worker exited; starting another');
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      if (workers.length === 0) process.exit(0);
      for (const worker of workers) worker.process.kill(signal);
    });
  }
  logger.info({ context: 'Cluster', workers: count }, `starting ${count} workers`);
  for (let i = 0; i < count; i += 1) fork();
}
