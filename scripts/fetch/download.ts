import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import type { ReadableStreamReadResult } from 'node:stream/web';
import { algorithmsIn, compareDigests, hashLocalFile, sameDigests } from './digests.js';
import { EXIT, FetchError } from './exit-codes.js';
import {
  contentLength,
  describe,
  discardBody,
  httpError,
  Interrupted,
  isAbort,
  parseContentRange,
  reprDigestOf,
  request,
  unlessAborted,
  validatorsOf,
} from './http.js';
import type { Options } from './options.js';
import { ProgressReporter } from './progress.js';
import { completedBytes, pendingSegments, planSegments, remainingRange, segmentLength, type Segment } from './segments.js';
import { parseState, type PartState } from './state.js';

const SAVE_EVERY_BYTES = 1024 * 1024;

/** The file on the server is not the version we have been downloading: start over. */
class VersionChanged extends Error {
  constructor(
    reason: string,
    /** A 200 that already carries the whole new version, to start over from. */
    readonly newVersion?: Response,
  ) {
    super(reason);
  }
}

/**
 * One download into FILE.part (+ FILE.part.json), resumed across runs, verified at the end.
 * `stop` is the user's Ctrl-C: every request and body read ends at once, the progress made is
 * saved, and run() ends with exit code 2.
 */
export class Download {
  private readonly partPath: string;
  private readonly statePath: string;
  private lastSaved = 0;
  private saving: Promise<void> = Promise.resolve();
  /** Set when a sequential resume got the whole new version with 200: begin() takes that body. */
  private restartWith: Response | undefined;
  private progress: ProgressReporter | undefined;
  private state: PartState | undefined;

  constructor(
    private readonly options: Options,
    private readonly stop: AbortSignal,
  ) {
    this.partPath = `${options.file}.part`;
    this.statePath = `${options.file}.part.json`;
  }

  /** The temporary file saveState() may leave behind if the process is killed mid-save. */
  get temporaryPath(): string {
    return `${this.statePath}.tmp`;
  }

  async run(): Promise<number> {
    try {
      return await this.runUntilStopped();
    } catch (error) {
      if (!this.stop.aborted) throw error;
      // Ctrl-C: whatever was under way is cut; keep what arrived, say how to continue.
      await this.saving.catch(() => undefined);
      await rm(this.temporaryPath, { force: true });
      this.progress?.done();
      const state = this.state;
      const have = state === undefined ? '' : ` at ${completedBytes(state.segments)} of ${state.size} bytes`;
      const resumable = state !== undefined && existsSync(this.statePath);
      throw new FetchError(
        resumable ? `stopped${have}; run the same command again to resume` : 'stopped before any byte arrived',
        EXIT.interrupted,
      );
    }
  }

  private async runUntilStopped(): Promise<number> {
    let state = await this.loadState();
    if (state === undefined && existsSync(this.options.file)) {
      const reason = await this.whyNotAlreadyHere();
      if (reason === undefined) {
        this.log(`${this.options.file} is already here and matches the server's Repr-Digest: nothing to download`);
        return EXIT.ok;
      }
      if (!this.options.force) {
        throw new FetchError(
          `${this.options.file} already exists and ${reason}; pass --force to replace it, or name another FILE`,
          EXIT.failed,
        );
      }
      this.log(`replacing ${this.options.file}, which ${reason}, once the new download is verified`);
    }
    let retriesLeft = this.options.retries;
    let restartsLeft = 5; // a file that changes under every attempt is not worth chasing forever
    for (;;) {
      try {
        if (state === undefined) {
          const started = await this.begin();
          state = started.state; // assigned first, so an interruption of the body below resumes it
          if (started.body) await this.receive(state, state.segments[0], started.body, this.stop);
        } else this.log(`resuming ${this.options.file}: ${completedBytes(state.segments)} of ${state.size} bytes already here`);
        await this.fetchRemaining(state);
        break;
      } catch (error) {
        if (this.stop.aborted) throw error;
        if (error instanceof VersionChanged) {
          if (restartsLeft-- === 0) throw new FetchError('the file keeps changing on the server; giving up', EXIT.failed);
          this.log(`the file changed on the server (${error.message}): starting over`);
          state = undefined;
          this.restartWith = error.newVersion;
          continue;
        }
        if (error instanceof Interrupted) {
          const have = state === undefined ? 0 : completedBytes(state.segments);
          if (retriesLeft-- <= 0) {
            throw new FetchError(
              `interrupted after ${have} bytes (${error.message}); run the same command again to resume`,
              EXIT.interrupted,
            );
          }
          this.log(`interrupted after ${have} bytes (${error.message}); resuming`);
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        throw error;
      }
    }
    this.progress?.update(completedBytes(state.segments), state.size, true);
    this.progress?.done();
    return this.verify(state);
  }

  /** A HEAD refusal has no body to say why (an expired link...): the same asked with GET does. */
  private async refusal(head: Response): Promise<FetchError> {
    if (head.status !== 403 && head.status !== 412) return httpError(head);
    return httpError(await request(this.options.url, 'GET', { Range: 'bytes=0-0' }, this.stop));
  }

  /**
   * Why the FILE already there is not the server's current version, or undefined when it is (same
   * size, and it hashes to the server's Repr-Digest).
   */
  private async whyNotAlreadyHere(): Promise<string | undefined> {
    const head = await request(this.options.url, 'HEAD', {}, this.stop);
    if (head.status !== 200) throw await this.refusal(head);
    const size = contentLength(head);
    const local = (await stat(this.options.file)).size;
    if (size !== undefined && size !== local) return `differs from the server's version (${local} bytes here, ${size} there)`;
    const field = reprDigestOf(head) ?? (await this.askForDigest(validatorsOf(head).etag));
    const algorithms = algorithmsIn(field);
    if (algorithms.length === 0) return 'cannot be checked against the server (it sends no Repr-Digest)';
    const comparison = compareDigests(field, await hashLocalFile(this.options.file, algorithms));
    return comparison.kind === 'match' ? undefined : "differs from the server's version (another Repr-Digest)";
  }

  /** A fresh download: sequential starts with a plain GET, parallel with a HEAD to learn the size. */
  private async begin(): Promise<{ state: PartState; body?: Response }> {
    await this.discard();
    const newVersion = this.restartWith;
    this.restartWith = undefined;
    if (newVersion === undefined && this.options.parallel > 1) {
      const head = await request(this.options.url, 'HEAD', {}, this.stop);
      if (head.status !== 200) throw await this.refusal(head);
      const size = contentLength(head);
      const validator = validatorsOf(head);
      if (
        size !== undefined &&
        size >= this.options.parallel &&
        head.headers.get('accept-ranges') === 'bytes' &&
        (validator.etag ?? validator.lastModified)
      ) {
        const state: PartState = {
          url: this.options.url,
          ...validator,
          size,
          reprDigest: reprDigestOf(head),
          segments: planSegments(size, this.options.parallel),
        };
        await writeFile(this.partPath, '');
        await this.saveState(state);
        this.started(state);
        this.log(`downloading ${size} bytes in ${state.segments.length} parallel segments`);
        return { state };
      }
      this.log('the server does not allow parallel ranges here; downloading in one piece');
    }
    const response = newVersion ?? (await request(this.options.url, 'GET', {}, this.stop));
    if (response.status !== 200) {
      throw await httpError(response);
    }
    let state: PartState;
    try {
      state = await this.adopt(response);
    } catch (error) {
      await discardBody(response);
      throw error;
    }
    return { state, body: response };
  }

  /** Starts a new part file from a 200 response's headers (its body is then read into segment 0). */
  private async adopt(response: Response): Promise<PartState> {
    const size = contentLength(response);
    if (size === undefined) throw new FetchError('the server sent no Content-Length; cannot resume or check this download', EXIT.failed);
    const state: PartState = {
      url: this.options.url,
      ...validatorsOf(response),
      size,
      reprDigest: reprDigestOf(response),
      segments: [{ start: 0, end: size - 1, done: 0 }],
    };
    await writeFile(this.partPath, '');
    await this.saveState(state);
    this.started(state);
    this.log(`downloading ${size} bytes`);
    return state;
  }

  private async fetchRemaining(state: PartState): Promise<void> {
    const pending = pendingSegments(state.segments);
    if (pending.length === 0) return;
    this.started(state);
    const siblings = new AbortController();
    const signal = AbortSignal.any([siblings.signal, this.stop]);
    const results = await Promise.allSettled(
      pending.map(async (segment) => {
        try {
          await this.fetchSegment(state, segment, signal);
        } catch (error) {
          // One failure stops the others (their progress is kept), except that a new version's
          // body, which the restart reads, must stay open; it only comes when there are no others.
          if (!(error instanceof VersionChanged && error.newVersion)) siblings.abort();
          throw error;
        }
      }),
    );
    await this.saveState(state);
    if (this.stop.aborted) throw this.stop.reason;
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    // The most decisive failure wins: a changed file beats a failure to connect or a broken connection beats an abort.
    const changed = failures.find((error): error is VersionChanged => error instanceof VersionChanged);
    if (changed) throw changed;
    const fatal = failures.find((error) => !(error instanceof Interrupted) && !isAbort(error));
    if (fatal !== undefined) throw fatal instanceof Error ? fatal : new Error(describe(fatal));
    if (failures.length > 0)
      throw failures.find((error): error is Interrupted => error instanceof Interrupted) ?? new Interrupted('aborted');
  }

  /** `Range: bytes=from-end` with `If-Range`; 206 continues this version, 200 means a new one. */
  private async fetchSegment(state: PartState, segment: Segment, signal: AbortSignal): Promise<void> {
    const from = segment.start + segment.done;
    const validator = state.etag ?? state.lastModified;
    const headers: Record<string, string> = { Range: remainingRange(segment) };
    if (validator !== undefined) headers['If-Range'] = validator;
    const response = await request(this.options.url, 'GET', headers, signal);
    if (response.status === 200) {
      // Sequential: this body is the whole new version; start over from it instead of asking again.
      if (state.segments.length === 1 && this.options.parallel === 1) throw new VersionChanged('200 instead of 206 for If-Range', response);
      await discardBody(response);
      throw new VersionChanged('200 instead of 206 for If-Range');
    }
    if (response.status !== 206) {
      throw await httpError(response);
    }
    const range = parseContentRange(response.headers.get('content-range'));
    if (!range || range.first !== from || range.last > segment.end) {
      await discardBody(response);
      throw new FetchError(`unexpected Content-Range ${response.headers.get('content-range')} for ${remainingRange(segment)}`, EXIT.failed);
    }
    const etag = response.headers.get('etag') ?? undefined;
    const digest = reprDigestOf(response);
    let changed: string | undefined;
    if (range.size !== state.size) changed = `size is now ${range.size}`;
    else if (state.etag !== undefined && etag !== undefined && etag !== state.etag) changed = `ETag is now ${etag}`;
    else if (digest !== undefined && state.reprDigest !== undefined && !sameDigests(digest, state.reprDigest))
      changed = 'Repr-Digest differs for the same validator';
    if (changed !== undefined) {
      await discardBody(response);
      throw new VersionChanged(changed);
    }
    if (digest !== undefined && state.reprDigest === undefined) state.reprDigest = digest;
    await this.receive(state, segment, response, signal);
  }

  /**
   * Writes a response body into `segment` at its current position, saving progress as it goes.
   * `signal` (the one the request was made with) stops it: every read also ends when it aborts.
   */
  private async receive(state: PartState, segment: Segment, response: Response, signal: AbortSignal): Promise<void> {
    if (response.body === null) throw new Interrupted('no body');
    const body = response.body;
    let handle: FileHandle;
    try {
      handle = await open(this.partPath, 'r+');
    } catch (error) {
      await body.cancel().catch(() => undefined);
      throw error;
    }
    const reader = body.getReader();
    let ended = false;
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          // Not just `await reader.read()`: Node's fetch (the undici bundled with Node 20) neither
          // errors nor closes a body that had fully arrived, but was not yet all read, when the
          // request's signal aborts (as a failing sibling segment or Ctrl-C does); the read then
          // never settles, the event loop runs dry and Node exits with 13, "unsettled top-level
          // await", instead of 2. So the abort ends the read here by itself.
          chunk = await unlessAborted(reader.read(), signal);
        } catch (error) {
          if (isAbort(error) || signal.aborted) throw error;
          throw new Interrupted(describe(error));
        }
        if (chunk.done) {
          ended = true;
          break;
        }
        const room = segmentLength(segment) - segment.done;
        const bytes = chunk.value.subarray(0, Math.min(chunk.value.length, room));
        await writeAll(handle, bytes, segment.start + segment.done);
        segment.done += bytes.length;
        const have = completedBytes(state.segments);
        this.progress?.update(have, state.size);
        if (have - this.lastSaved >= SAVE_EVERY_BYTES) await this.saveState(state);
      }
    } finally {
      // Stopped early (abort, failed write): let go of the body and its connection, and settle a
      // read left pending by the abort above. Not awaited: nothing here depends on it.
      if (!ended) reader.cancel().catch(() => undefined);
      await handle.close();
      await this.saveState(state);
    }
    if (segment.done < segmentLength(segment)) throw new Interrupted('connection closed early');
  }

  /** Hashes FILE.part and compares it with Repr-Digest; puts FILE in place only when it matches. */
  private async verify(state: PartState): Promise<number> {
    const field = state.reprDigest ?? (await this.askForDigest(state.etag));
    const algorithms = algorithmsIn(field);
    if (algorithms.length === 0) {
      const message = `the server sent no usable Repr-Digest: ${this.options.file} is complete (${state.size} bytes) but NOT verified`;
      if (this.options.requireDigest) throw new FetchError(message, EXIT.noDigest);
      process.stderr.write(`fetch: warning: ${message}\n`);
      await this.finish();
      return EXIT.ok;
    }
    const comparison = compareDigests(field, await hashLocalFile(this.partPath, algorithms));
    if (comparison.kind === 'mismatch') {
      await rm(this.statePath, { force: true }); // the next run starts over
      throw new FetchError(
        `DIGEST MISMATCH for ${this.options.file}: the server's Repr-Digest says ${comparison.algorithm}=:${comparison.expected}:, the bytes received hash to ${comparison.algorithm}=:${comparison.actual}:. ` +
          `The download is corrupt and was NOT saved as ${this.options.file} (bytes kept in ${this.partPath}).`,
        EXIT.mismatch,
      );
    }
    await this.finish();
    if (comparison.kind === 'match')
      this.log(`verified ${comparison.checked.map(([algorithm, digest]) => `${algorithm}=:${digest}:`).join(', ')}`);
    this.log(`saved ${this.options.file} (${state.size} bytes)`);
    return EXIT.ok;
  }

  /**
   * A server computes digests in the background, so the first responses may have had none. Ask
   * again with HEAD until it has one, for as long as --digest-wait allows. The answer must be for
   * the version we downloaded (same ETag); for another version it is useless.
   */
  private async askForDigest(etag: string | undefined): Promise<string | undefined> {
    const deadline = Date.now() + this.options.digestWaitMs;
    let announced = false;
    for (;;) {
      const head = await request(this.options.url, 'HEAD', {}, this.stop);
      const now = head.headers.get('etag') ?? undefined;
      if (head.status !== 200 || (etag !== undefined && now !== etag)) {
        process.stderr.write('fetch: warning: the file changed on the server after the download; its Repr-Digest is of another version\n');
        return undefined;
      }
      const digest = reprDigestOf(head);
      if (digest !== undefined) return digest;
      if (Date.now() >= deadline) return undefined;
      if (!announced) this.log('waiting for the server to compute the Repr-Digest');
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private started(state: PartState): void {
    this.state = state;
    if (!this.options.quiet && this.progress === undefined) {
      this.progress = new ProgressReporter(process.stderr, this.options.progressEveryMs, completedBytes(state.segments));
    }
  }

  private async loadState(): Promise<PartState | undefined> {
    if (!existsSync(this.partPath) || !existsSync(this.statePath)) return undefined;
    try {
      const state = parseState(await readFile(this.statePath, 'utf8'), this.options.url);
      if (state !== undefined) this.started(state);
      return state;
    } catch {
      return undefined;
    }
  }

  /** Atomic (a crash leaves the previous state or the new one) and serialised between segments. */
  private saveState(state: PartState): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        this.lastSaved = completedBytes(state.segments);
        await writeFile(this.temporaryPath, JSON.stringify(state, null, 2));
        await rename(this.temporaryPath, this.statePath);
      });
    return this.saving;
  }

  private async discard(): Promise<void> {
    await this.saving.catch(() => undefined);
    await rm(this.partPath, { force: true });
    await rm(this.statePath, { force: true });
    this.lastSaved = 0;
  }

  private async finish(): Promise<void> {
    await rename(this.partPath, this.options.file);
    await rm(this.statePath, { force: true });
  }

  private log(message: string): void {
    if (this.options.quiet) return;
    this.progress?.done();
    process.stderr.write(`fetch: ${message}\n`);
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}
