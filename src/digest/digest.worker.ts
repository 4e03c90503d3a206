import { parentPort } from 'node:worker_threads';
import { hashFile, type HashOutcome, type HashRequest } from './hash-file.js';

/** Messages between HashQueue and this worker thread. */
export interface WorkerJob {
  readonly id: number;
  readonly request: HashRequest;
}

export interface WorkerResult {
  readonly id: number;
  readonly outcome: HashOutcome;
}

/**
 * Hashing runs here, off the event loop that serves requests: the reads are asynchronous, but
 * the hash updates are CPU-bound (about a second per few hundred MB) and would otherwise stall
 * every connection.
 */
parentPort?.on('message', (job: WorkerJob) => {
  void hashFile(job.request).then((outcome) => parentPort?.postMessage({ id: job.id, outcome } satisfies WorkerResult));
});
