import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';

/**
 * WORKERS > 1: this (primary) process serves nothing itself; it forks `count` copies of the
 * service that share the listening socket (node:cluster hands each accepted connection to one of
 * them), replaces a worker that dies, and on SIGTERM/SIGINT passes the signal on to every worker
 * and exits once all have finished their own shutdown.
 */
export function runPrimary(count: number): void {
  const logger = new Logger('Cluster');
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
    logger.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
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
  logger.log(`starting ${count} workers`);
  for (let i = 0; i < count; i += 1) fork();
}
