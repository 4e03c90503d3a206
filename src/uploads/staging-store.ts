import { FileConfigstore, FileStore } from '@tus/file-store';
import { ERRORS, Upload } from '@tus/utils';
import { createWriteStream } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { noSpace } from './upload-errors.js';

/** `storage.type` of an upload whose file was published: its info stays until it expires. */
const PUBLISHED = 'published';

/** The tus extensions we offer (FileStore also has creation-defer-length; a length known at creation is what the size and space checks need). */
export const UPLOAD_EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'expiration'];

/** FileStore's JSON info files, listed by their own name (FileKvStore lists only info files that have a data file beside them). */
class InfoFiles extends FileConfigstore {
  override async list(): Promise<string[]> {
    return (await readdir(this.directory)).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  }
}

export interface StagingEvents {
  /** Bytes written to a staged file. */
  received(bytes: number): void;
  /** An unfinished upload deleted by the expiry job. */
  expired(): void;
}

/**
 * @tus/file-store's FileStore over the staging folder, changed where uploads need it:
 *
 * - A write that runs out of space answers 507 (FileStore turns every write error into a 500).
 * - An upload whose file was published keeps its info (a "tombstone") until it expires, so a
 *   client whose last response was lost asks for the offset again (HEAD) and learns it is done,
 *   instead of getting 404 and creating the upload anew.
 * - Removing an upload whose data file is already gone succeeds (the expiry job, a second
 *   instance cleaning up at the same time).
 */
export class StagingStore extends FileStore {
  constructor(
    directory: string,
    expiryMs: number,
    private readonly events: StagingEvents,
    /** How long past its expiry an upload is kept, answering 410 (gone) rather than 404 (unknown). */
    private readonly keepExpiredMs = 0,
  ) {
    super({ directory, expirationPeriodInMilliseconds: expiryMs, configstore: new InfoFiles(directory) });
    this.extensions = [...UPLOAD_EXTENSIONS];
  }

  /** Where the upload's bytes are staged. */
  dataPath(id: string): string {
    return join(this.directory, id);
  }

  override async getUpload(id: string): Promise<Upload> {
    const info = await this.configstore.get(id);
    if (info?.storage?.type === PUBLISHED) return new Upload({ ...info, offset: info.size ?? 0 });
    return super.getUpload(id);
  }

  async isPublished(id: string): Promise<boolean> {
    return (await this.configstore.get(id))?.storage?.type === PUBLISHED;
  }

  /** The file was renamed into place: the upload is kept as done until it expires. */
  async markPublished(upload: Upload, publishedAs: string): Promise<void> {
    await this.configstore.set(upload.id, new Upload({ ...upload, offset: 0, storage: { type: PUBLISHED, path: publishedAs } }));
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    if (await this.isPublished(id)) {
      for await (const _ of readable); // the limiter tus puts in front refuses any byte past the length
      return offset;
    }
    let received = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        received += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(readable, counter, createWriteStream(this.dataPath(id), { flags: 'r+', start: offset }));
    } catch (error) {
      // tus's outer pipeline usually rejects first, with the raw ENOSPC: mapTusError knows it too.
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus's ERRORS are {status_code, body} objects
      throw codeOf(error) === 'ENOSPC' ? noSpace() : ERRORS.FILE_WRITE_ERROR;
    } finally {
      this.events.received(received);
    }
    return offset + received;
  }

  override async remove(id: string): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- tus's ERRORS are {status_code, body} objects
    if ((await this.configstore.get(id)) === undefined) throw ERRORS.FILE_NOT_FOUND;
    await unlink(this.dataPath(id)).catch(ignoreMissing);
    await this.configstore.delete(id).catch(ignoreMissing);
  }

  /**
   * Deletes every upload that expired at least `keepExpiredMs` ago: unfinished ones (counted) and
   * the tombstones of published ones. Returns how many unfinished uploads expired.
   */
  override async deleteExpired(): Promise<number> {
    const now = Date.now();
    let expired = 0;
    for (const id of await (this.configstore as InfoFiles).list()) {
      const info = await this.configstore.get(id);
      if (info?.creation_date === undefined || now <= new Date(info.creation_date).getTime() + this.getExpiration() + this.keepExpiredMs)
        continue;
      await this.remove(id).catch(() => undefined); // removed meanwhile by another instance
      if (info.storage?.type !== PUBLISHED) {
        expired += 1;
        this.events.expired();
      }
    }
    return expired;
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== 'ENOENT') throw error;
}
