import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerResult } from './digest.worker.js';
import type { HashOutcome, HashRequest } from './hash-file.js';

interface QueuedJob {
  readonly request: HashRequest;
  readonly done: (outcome: HashOutcome) => void;
}

/** Requests beyond this many queued hash jobs are dropped (their next request asks again). */
export const MAX_QUEUED_JOBS = 10_000;

/**
 * Hash jobs, run one at a time in a worker thread (hashing is disk- and CPU-bound, and one job
 * keeps a core free for serving); at most MAX_QUEUED_JOBS wait. A crashed worker fails its job
 * and the next job starts a fresh one.
 */
export class HashQueue {
  private readonly queue: QueuedJob[] = [];
  private worker: Worker | undefined;
  private running: { id: number; job: QueuedJob } | undefined;
  private nextJobId = 1;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly hooks: {
      /** A job the worker ran, with its outcome (the hash-jobs metric). */
      readonly jobDone?: (outcome: HashOutcome) => void;
      readonly workerError?: (message: string) => void;
    } = {},
  ) {}

  /**
   * Starts the worker thread now rather than on the first job: its event loop holds descriptors of
   * its own, and a process whose descriptor count jumps mid-traffic would look like it leaks.
   */
  start(): void {
    this.ensureWorker();
  }

  get full(): boolean {
    return this.queue.length >= MAX_QUEUED_JOBS;
  }

  hash(request: HashRequest): Promise<HashOutcome> {
    if (this.stopped) return Promise.resolve({ kind: 'failed', reason: 'stopped' });
    if (this.full) return Promise.resolve({ kind: 'failed', reason: 'queue full' });
    return new Promise((done) => {
      this.queue.push({ request, done });
      this.runNext();
    });
  }

  /** Resolves once no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.running === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
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
    this.hooks.jobDone?.(outcome);
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
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.running) this.finish(this.running.id, { kind: 'failed', reason });
    };
    worker.on('error', (error) => {
      this.hooks.workerError?.(`digest worker failed: ${error.message}`);
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
