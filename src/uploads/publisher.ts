import { Metadata, type Upload } from '@tus/utils';
import { closeSync, constants, openSync } from 'node:fs';
import type { DigestService } from '../digest/digest.service.js';
import { versionOf } from '../files/file-version.js';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import { PublishError, statOf, type UploadDestinations } from './destinations.js';
import type { FileLocker } from './file-locker.js';
import type { StagingStore } from './staging-store.js';
import { CHECKSUM_MISMATCH, UploadFailure } from './upload-errors.js';
import type { UploadHasher } from './upload-hasher.js';
import type { UploadMetrics } from './upload-metrics.js';
import { readUploadRequest } from './upload-request.js';

/** How a failed publication is answered: status, and the reason counted in uploads_failed_total. */
const PUBLISH_FAILURES: Readonly<Record<PublishError['state'], readonly [number, string]>> = {
  exists: [409, 'a file of that name was published meanwhile'],
  'is-a-folder': [409, 'a folder of that name exists'],
  'not-a-folder': [409, 'a file stands where a folder of the path should be'],
  escapes: [400, 'the folder leads outside the upload folder'],
};

/**
 * The last step of an upload, run when its last byte has arrived (tus onUploadFinish): check the
 * size, hash the staged file and compare it with the digests the client sent, then put it in place
 * atomically and make its digest known to the download side. Anything that fails deletes the
 * upload, so the served folder never holds a half-checked file.
 */
export class UploadPublisher {
  constructor(
    private readonly store: StagingStore,
    private readonly locker: FileLocker,
    private readonly destinations: UploadDestinations,
    private readonly hasher: UploadHasher,
    private readonly digests: DigestService,
    private readonly metrics: UploadMetrics,
    private readonly overwrite: boolean,
  ) {}

  async publish(upload: Upload): Promise<void> {
    // tus releases the upload's lock before onUploadFinish; publication takes it again, so a second
    // "last" PATCH (a retry) or a DELETE waits, then finds the upload already published.
    const lock = this.locker.newLock(upload.id);
    await lock.lock(new AbortController().signal, () => undefined);
    try {
      if (await this.store.isPublished(upload.id)) return;
      await this.verifyAndPlace(upload);
    } finally {
      await lock.unlock();
    }
  }

  private async verifyAndPlace(upload: Upload): Promise<void> {
    const reading = readUploadRequest(upload.metadata ? Metadata.stringify(upload.metadata) : undefined, undefined);
    if (!reading.ok) return this.fail(upload, 400, 'invalid-metadata', 'the upload metadata is no longer valid');
    const { destination, expected } = reading.request;
    const staged = this.store.dataPath(upload.id);
    let fd: number;
    try {
      fd = openSync(staged, constants.O_RDONLY);
    } catch {
      return this.fail(upload, 410, 'expired', 'the upload is gone (expired or deleted meanwhile)');
    }
    try {
      const before = statOf(fd);
      if (before.size !== BigInt(upload.size ?? -1)) {
        return this.fail(upload, 500, 'size-mismatch', `the staged upload has ${before.size} bytes, not the ${upload.size} announced`);
      }
      const algorithms = [...new Set<DigestAlgorithm>(['sha-256', ...(Object.keys(expected) as DigestAlgorithm[])])];
      const outcome = await this.hasher.hash(staged, versionOf(before), algorithms);
      if (outcome.kind !== 'hashed') return this.fail(upload, 500, 'error', 'the upload could not be hashed');
      for (const [algorithm, digest] of outcome.digests) {
        const actual = Buffer.from(digest).toString('base64');
        const wanted = expected[algorithm];
        if (wanted !== undefined && wanted !== actual) {
          return this.fail(
            upload,
            CHECKSUM_MISMATCH,
            'digest-mismatch',
            `${algorithm} of the upload is ${actual}, not ${wanted}: the upload was deleted`,
          );
        }
      }
      let published: string;
      try {
        published = this.destinations.publish(staged, destination, this.overwrite);
      } catch (error) {
        if (!(error instanceof PublishError)) throw error;
        const [status, message] = PUBLISH_FAILURES[error.state];
        return this.fail(upload, status, error.state, `${message}: the upload was deleted`);
      }
      // The inode now in place, with the stamps rename/link/unlink left on it: the version downloads will see.
      this.digests.seed(versionOf(statOf(fd)), outcome.digests);
      await this.store.markPublished(upload, published);
      this.metrics.completed();
    } finally {
      closeSync(fd);
    }
  }

  /** Deletes the upload and answers with `status`; counted as a failure with `reason`. */
  private async fail(upload: Upload, status: number, reason: string, message: string): Promise<never> {
    await this.store.remove(upload.id).catch(() => undefined);
    this.metrics.failed(reason);
    throw new UploadFailure(status, reason, message, true);
  }
}
