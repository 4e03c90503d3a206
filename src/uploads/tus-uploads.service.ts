import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENTS, Server } from '@tus/server';
import type { Upload } from '@tus/utils';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerRequest } from 'srvx';
import { DigestService } from '../digest/digest.service.js';
import { UploadDestinations } from './destinations.js';
import { FileLocker } from './file-locker.js';
import { UploadPublisher } from './publisher.js';
import { StagingStore } from './staging-store.js';
import { errorBody, mapTusError, noSpace, UploadFailure } from './upload-errors.js';
import { UploadHasher } from './upload-hasher.js';
import { UploadMetrics } from './upload-metrics.js';
import { digestMetadata, hasRoom, readUploadRequest } from './upload-request.js';
import { UploadsConfig } from './uploads-config.js';

/** The tus endpoint: dot-prefixed, so no file can ever shadow it. */
export const UPLOADS_PATH = '/.uploads';

/** Upload ids are what the naming function makes: 32 lowercase hex digits. Anything else is an unknown upload. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** What a creation refusal of the destination answers. */
const DESTINATION_REFUSALS = {
  exists: [409, 'exists', 'a file of that name exists (UPLOAD_OVERWRITE is off)'],
  'is-a-folder': [409, 'is-a-folder', 'a folder of that name exists'],
  'not-a-folder': [409, 'not-a-folder', 'a file stands where a folder of the path should be'],
  escapes: [400, 'folder-escapes', 'the folder leads outside the upload folder'],
} as const;

/**
 * @tus/server with @tus/file-store, set up for this service: state on the shared file system
 * (staged bytes, tus info files, locks), names and digests checked at creation, publication on
 * the last byte. Everything the protocol says is the library's; our rules are in its hooks.
 */
@Injectable()
export class TusUploads implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Uploads');
  readonly server: Server | undefined;
  private readonly destinations: UploadDestinations | undefined;
  private cleanup: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: UploadsConfig,
    private readonly metrics: UploadMetrics,
    hasher: UploadHasher,
    digests: DigestService,
  ) {
    if (config.root === undefined) return;
    mkdirSync(config.stagingDir, { recursive: true });
    // An expired upload is kept one more clean-up round: a client asking right after its expiry learns it is gone (410).
    const store = new StagingStore(
      config.stagingDir,
      config.expiryMs,
      { received: (bytes) => metrics.received(bytes), expired: () => metrics.failed('expired') },
      config.cleanupIntervalMs,
    );
    const locker = new FileLocker(join(config.stagingDir, 'locks'));
    const destinations = new UploadDestinations(config.root);
    const publisher = new UploadPublisher(store, locker, destinations, hasher, digests, metrics, config.overwrite);
    this.destinations = destinations;
    this.server = new Server({
      path: UPLOADS_PATH,
      datastore: store,
      locker,
      maxSize: config.maxSize,
      // The Location is relative (/.uploads/<id>): right behind any proxy, whatever Host it forwards.
      relativeLocation: true,
      // CORS is the app's (one policy for every route); tus would otherwise answer `*` to any origin.
      allowedOrigins: [],
      namingFunction: () => randomBytes(16).toString('hex'),
      getFileIdFromRequest: (_req, lastPath) => (lastPath !== undefined && UPLOAD_ID.test(lastPath) ? lastPath : undefined),
      onUploadCreate: (req, upload) => this.admit(req, upload),
      onIncomingRequest: (req) => this.checkSpace(req),
      onUploadFinish: async (_req, upload) => {
        await publisher.publish(upload);
        return {};
      },
      onResponseError: (req, error) => this.describeError(req, error),
    });
    this.server.on(EVENTS.POST_CREATE, () => metrics.started());
    this.server.on(EVENTS.POST_TERMINATE, () => metrics.failed('terminated'));
  }

  onApplicationBootstrap(): void {
    if (this.server === undefined) return;
    const server = this.server;
    this.cleanup = setInterval(() => {
      server.cleanUpExpiredUploads().then(
        (count) => count > 0 && this.logger.log(`deleted ${count} expired upload(s)`),
        (error: unknown) => this.logger.warn(`expired uploads clean-up failed: ${String(error)}`),
      );
    }, this.config.cleanupIntervalMs);
    this.cleanup.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanup);
  }

  /** tus onUploadCreate: the destination and digests from the request, the space it needs. Throws to refuse. */
  private async admit(req: ServerRequest, upload: Upload): Promise<{ metadata: Record<string, string | null> }> {
    const reading = readUploadRequest(req.headers.get('upload-metadata') ?? undefined, req.headers.get('repr-digest') ?? undefined);
    if (!reading.ok) throw this.refuse(400, reading.problem, `invalid upload request: ${reading.problem}`);
    const state = this.destinations?.check(reading.request.destination);
    if (state !== 'free' && state !== undefined && !(state === 'exists' && this.config.overwrite)) {
      const [status, reason, message] = DESTINATION_REFUSALS[state];
      throw this.refuse(status, reason, message);
    }
    if (!hasRoom(await this.freeBytes(), upload.size ?? 0, this.config.minFree)) {
      throw this.refuse(507, 'no-space', 'not enough free space for this upload');
    }
    return { metadata: { ...upload.metadata, ...digestMetadata(reading.request.expected) } };
  }

  /** tus onIncomingRequest: a PATCH is refused while the file system is below UPLOAD_MIN_FREE. */
  private async checkSpace(req: ServerRequest): Promise<void> {
    if (req.method !== 'PATCH') return;
    if (!hasRoom(await this.freeBytes(), 0, this.config.minFree)) {
      throw noSpace();
    }
  }

  private refuse(status: number, reason: string, message: string): UploadFailure {
    this.metrics.rejected(reason);
    return new UploadFailure(status, reason, message, true);
  }

  /** Bytes an unprivileged writer may still use on the upload folder's file system. */
  private async freeBytes(): Promise<number> {
    const stats = await statfs(this.config.stagingDir);
    return stats.bavail * stats.bsize;
  }

  /** tus onResponseError: every error answered as our JSON body; unexpected ones logged, never echoed. */
  private describeError(req: ServerRequest, error: unknown): { status_code: number; body: string } {
    const mapped = mapTusError(error);
    if (mapped === undefined) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return { status_code: 500, body: errorBody(500, 'error', 'internal server error') };
    }
    // Refusals of a creation by tus itself (413, bad headers) count as rejected; our failures of a
    // created upload (a full disk while writing) as failed, unless counted where they were thrown.
    if (error instanceof UploadFailure) {
      if (!error.counted) this.metrics.failed(error.reason);
    } else if (mapped.reason === 'no-space') this.metrics.failed('no-space');
    else if (req.method === 'POST') this.metrics.rejected(mapped.reason);
    return { status_code: mapped.status, body: errorBody(mapped.status, mapped.reason, mapped.message) };
  }
}
