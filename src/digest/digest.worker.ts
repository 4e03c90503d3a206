import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
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
 * Hashing yields the CPU to serving: this thread runs at the lowest scheduling priority (nice 19),
 * so on a busy host a download that queued its file's digest is not slowed by the hashing of that
 * very file; the digest comes later, never staler (the version checks are the same). On Linux a
 * thread is its own scheduling entity, and /proc/thread-self names it (`PID/task/TID`). Elsewhere,
 * or if the call is refused, hashing runs at normal priority.
 */
export function lowerThisThreadsPriority(): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return false;
    setPriority(tid, constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false;
  }
}

/**
 * Hashing runs here, off the event loop that serves requests: the reads are asynchronous, but
 * the hash updates are CPU-bound (about a second per few hundred MB) and would otherwise stall
 * every connection.
 */
if (parentPort) lowerThisThreadsPriority();
parentPort?.on('message', (job: WorkerJob) => {
  void hashFile(job.request).then((outcome) => parentPort?.postMessage({ id: job.id, outcome } satisfies WorkerResult));
});
