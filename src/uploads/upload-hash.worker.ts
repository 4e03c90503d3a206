import { parentPort } from 'node:worker_threads';
import { SETTLE_NS } from '../digest/settle.js';
import { hashFile, type HashOutcome, type HashRequest } from '../digest/hash-file.js';

/** Messages between UploadHasher and this worker thread. */
export interface UploadHashJob {
  readonly id: number;
  readonly request: HashRequest;
}

export interface UploadHashResult {
  readonly id: number;
  readonly outcome: HashOutcome;
}

/**
 * Hashes a finished upload's staged file off the event loop (a 256 MiB file is about a second of
 * CPU). hashFile checks that the file is exactly the version asked for, before and after. Its
 * settle rule (a file changed within the last second is not hashed) does not apply: that rule
 * keeps the digest cache safe from writers it does not know about, and a staged upload has one
 * writer, the upload itself, which holds the upload's lock while this runs.
 */
parentPort?.on('message', (job: UploadHashJob) => {
  void hashFile(job.request, { now: () => job.request.version.ctimeNs + SETTLE_NS }).then((outcome) =>
    parentPort?.postMessage({ id: job.id, outcome } satisfies UploadHashResult),
  );
});
