import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HashOutcome } from '../digest/hash-file.js';
import type { FileVersion } from '../files/file-version.js';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import type { UploadHashJob, UploadHashResult } from './upload-hash.worker.js';

/**
 * Hashes finished uploads in one worker thread, one file at a time (so finishing uploads never
 * take more than one core from serving). Started on first use.
 */
@Injectable()
export class UploadHasher implements OnModuleDestroy {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (outcome: HashOutcome) => void>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  /** The digests of exactly this version of the file at `path` (see hashFile). */
  hash(path: string, version: FileVersion, algorithms: readonly DigestAlgorithm[]): Promise<HashOutcome> {
    const run = this.queue.then(() => this.run({ path, version, algorithms }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const done of this.pending.values()) done({ kind: 'failed', reason: 'stopped' });
    this.pending.clear();
    await worker?.terminate();
  }

  private run(request: UploadHashJob['request']): Promise<HashOutcome> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ensureWorker().postMessage({ id, request } satisfies UploadHashJob);
    });
  }

  private settle(id: number, outcome: HashOutcome): void {
    const done = this.pending.get(id);
    this.pending.delete(id);
    done?.(outcome);
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(workerScript());
    worker.unref();
    worker.on('message', (result: UploadHashResult) => this.settle(result.id, result.outcome));
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, { kind: 'failed', reason });
    };
    worker.on('error', (error) => fail(`hash worker failed: ${error.message}`));
    worker.on('exit', (code) => fail(`hash worker exited with ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** The compiled worker beside this module; under Jest (TypeScript sources) the build's copy. */
function workerScript(): URL {
  const beside = new URL('./upload-hash.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/uploads/upload-hash.worker.js', import.meta.url);
}
