/**
 * A resuming download client that proves what it downloaded: `npm run fetch -- URL [FILE]`.
 *
 * - Keeps the partial bytes in FILE.part and what it knows about them in FILE.part.json (URL,
 *   validator, size, Repr-Digest, progress of each segment), so an interrupted run, or a new run
 *   after a crash, continues where it stopped.
 * - Resumes with `Range` plus `If-Range` (RFC 9110 §13.1.5): a 206 continues the same version; a
 *   200 means the file changed on the server, and the download starts over cleanly from that body.
 * - `--parallel N` fetches N ranged segments at once (each resumable on its own).
 * - At the end it hashes the bytes and compares them with the server's `Repr-Digest` (RFC 9530):
 *   a mismatch fails loudly (exit code 3) and the file is not put in place.
 *
 * Only Node's standard library: run it anywhere with Node >= 20 (through `tsx`, or compile it).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ReadableStreamReadResult } from 'node:stream/web';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run fetch -- [options] URL [FILE]

Downloads URL to FILE (default: the last segment of the URL path), resuming from FILE.part when an
earlier run was interrupted, and checks the result against the server's Repr-Digest.

options:
  -p, --parallel N       fetch in N parallel ranged segments (default 1)
  -r, --retries N        resume automatically up to N times after a broken connection (default 5)
      --digest-wait S    how long to keep asking for a Repr-Digest the server has not computed yet (default 30)
      --require-digest   fail (exit 4) when the server sends no Repr-Digest, instead of warning
  -q, --quiet            only errors
  -h, --help

exit codes: 0 downloaded and verified (or unverifiable, with a warning), 1 usage or HTTP error,
2 interrupted (run again to resume), 3 digest mismatch, 4 no digest with --require-digest,
5 the signed link expired (run again with a new link to the same file: the download resumes)`;

/** Exit codes, also used by the tests. */
const EXIT = { ok: 0, failed: 1, interrupted: 2, mismatch: 3, noDigest: 4, expired: 5 } as const;

/** Algorithms we can check, strongest first (RFC 9530 §7.2 registry names). */
const HASHES: ReadonlyArray<readonly [string, string]> = [
  ['sha-512', 'sha512'],
  ['sha-256', 'sha256'],
];
const WANT_REPR_DIGEST = 'sha-512=3, sha-256=10';
const SAVE_EVERY_BYTES = 1024 * 1024;

interface Segment {
  readonly start: number;
  /** Inclusive last byte. */
  readonly end: number;
  /** Bytes of this segment already in FILE.part. */
  done: number;
}

/** FILE.part.json. Progress is saved only after the bytes it counts were written. */
interface PartState {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly size: number;
  reprDigest?: string;
  readonly segments: Segment[];
}

interface Options {
  readonly url: string;
  readonly file: string;
  readonly parallel: number;
  readonly retries: number;
  readonly digestWaitMs: number;
  readonly requireDigest: boolean;
  readonly quiet: boolean;
}

class FetchError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

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

/** The connection broke (or the server answered 5xx): resumable. */
class Interrupted extends Error {}

class Download {
  private readonly partPath: string;
  private readonly statePath: string;
  private lastSaved = 0;
  private saving: Promise<void> = Promise.resolve();
  /** Set when a sequential resume got the whole new version with 200: begin() takes that body. */
  private restartWith: Response | undefined;

  constructor(private readonly options: Options) {
    this.partPath = `${options.file}.part`;
    this.statePath = `${options.file}.part.json`;
  }

  async run(): Promise<number> {
    let state = await this.loadState();
    let retriesLeft = this.options.retries;
    let restartsLeft = 5; // a file that changes under every attempt is not worth chasing forever
    for (;;) {
      try {
        if (state === undefined) {
          const started = await this.begin();
          state = started.state; // assigned first, so an interruption of the body below resumes it
          if (started.body) await this.receive(state, state.segments[0], started.body);
        } else this.log(`resuming ${this.options.file}: ${completed(state)} of ${state.size} bytes already here`);
        await this.fetchRemaining(state);
        break;
      } catch (error) {
        if (error instanceof VersionChanged) {
          if (restartsLeft-- === 0) throw new FetchError('the file keeps changing on the server; giving up', EXIT.failed);
          this.log(`the file changed on the server (${error.message}): starting over`);
          state = undefined;
          this.restartWith = error.newVersion;
          continue;
        }
        if (error instanceof Interrupted) {
          const have = state === undefined ? 0 : completed(state);
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
    return this.verify(state);
  }

  /** A fresh download: sequential starts with a plain GET, parallel with a HEAD to learn the size. */
  private async begin(): Promise<{ state: PartState; body?: Response }> {
    await this.discard();
    const newVersion = this.restartWith;
    this.restartWith = undefined;
    if (newVersion === undefined && this.options.parallel > 1) {
      const head = await this.request('HEAD', {});
      // A HEAD refusal has no body to say why: ask the same with GET for it.
      if (head.status !== 200) throw await httpError(head.status === 403 ? await this.request('GET', { Range: 'bytes=0-0' }) : head);
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
          segments: split(size, this.options.parallel),
        };
        await writeFile(this.partPath, '');
        await this.saveState(state);
        this.log(`downloading ${size} bytes in ${state.segments.length} parallel segments`);
        return { state };
      }
      this.log('the server does not allow parallel ranges here; downloading in one piece');
    }
    const response = newVersion ?? (await this.request('GET', {}));
    if (response.status !== 200) throw await httpError(response);
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
    this.log(`downloading ${size} bytes`);
    return state;
  }

  private async fetchRemaining(state: PartState): Promise<void> {
    const pending = state.segments.filter((segment) => segment.done < segment.end - segment.start + 1);
    if (pending.length === 0) return;
    const abort = new AbortController();
    const results = await Promise.allSettled(
      pending.map(async (segment) => {
        try {
          await this.fetchSegment(state, segment, abort.signal);
        } catch (error) {
          // One failure stops the others (their progress is kept), except that a new version's
          // body, which the restart reads, must stay open; it only comes when there are no others.
          if (!(error instanceof VersionChanged && error.newVersion)) abort.abort();
          throw error;
        }
      }),
    );
    await this.saveState(state);
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    // The most decisive failure wins: a changed file beats a broken connection beats an abort.
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
    const headers: Record<string, string> = { Range: `bytes=${from}-${segment.end}` };
    if (validator !== undefined) headers['If-Range'] = validator;
    const response = await this.request('GET', headers, signal);
    if (response.status === 200) {
      // Sequential: this body is the whole new version; start over from it instead of asking again.
      if (state.segments.length === 1 && this.options.parallel === 1) throw new VersionChanged('200 instead of 206 for If-Range', response);
      await discardBody(response);
      throw new VersionChanged('200 instead of 206 for If-Range');
    }
    if (response.status !== 206) throw await httpError(response);
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== from || Number(range[2]) > segment.end) {
      await discardBody(response);
      throw new FetchError(
        `unexpected Content-Range ${response.headers.get('content-range')} for bytes=${from}-${segment.end}`,
        EXIT.failed,
      );
    }
    const etag = response.headers.get('etag') ?? undefined;
    const digest = reprDigestOf(response);
    let changed: string | undefined;
    if (Number(range[3]) !== state.size) changed = `size is now ${range[3]}`;
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
  private async receive(state: PartState, segment: Segment, response: Response, signal?: AbortSignal): Promise<void> {
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
          // request's signal aborts (as a failing sibling segment does); the read then never
          // settles, the event loop runs dry and Node exits with 13, "unsettled top-level await",
          // instead of 2. So the abort ends the read here by itself.
          chunk = await unlessAborted(reader.read(), signal);
        } catch (error) {
          if (isAbort(error)) throw error;
          throw new Interrupted(describe(error));
        }
        if (chunk.done) {
          ended = true;
          break;
        }
        const room = segment.end - segment.start + 1 - segment.done;
        const bytes = chunk.value.subarray(0, Math.min(chunk.value.length, room));
        await writeAll(handle, bytes, segment.start + segment.done);
        segment.done += bytes.length;
        if (completed(state) - this.lastSaved >= SAVE_EVERY_BYTES) await this.saveState(state);
      }
    } finally {
      // Stopped early (abort, failed write): let go of the body and its connection, and settle a
      // read left pending by the abort above. Not awaited: nothing here depends on it.
      if (!ended) reader.cancel().catch(() => undefined);
      await handle.close();
      await this.saveState(state);
    }
    if (segment.done < segment.end - segment.start + 1) throw new Interrupted('connection closed early');
  }

  /** Hashes FILE.part and compares it with Repr-Digest; puts FILE in place only when it matches. */
  private async verify(state: PartState): Promise<number> {
    const field = state.reprDigest ?? (await this.askForDigest(state));
    const expected = field === undefined ? [] : checkable(field);
    if (expected.length === 0) {
      const message = `the server sent no usable Repr-Digest: ${this.options.file} is complete (${state.size} bytes) but NOT verified`;
      if (this.options.requireDigest) throw new FetchError(message, EXIT.noDigest);
      process.stderr.write(`fetch: warning: ${message}\n`);
      await this.finish();
      return EXIT.ok;
    }
    const actual = await hashFile(
      this.partPath,
      expected.map(([algorithm]) => algorithm),
    );
    for (const [algorithm, digest] of expected) {
      const got = actual.get(algorithm) ?? '';
      if (got !== digest) {
        await rm(this.statePath, { force: true }); // the next run starts over
        throw new FetchError(
          `DIGEST MISMATCH for ${this.options.file}: the server's Repr-Digest says ${algorithm}=:${digest}:, the bytes received hash to ${algorithm}=:${got}:. ` +
            `The download is corrupt and was NOT saved as ${this.options.file} (bytes kept in ${this.partPath}).`,
          EXIT.mismatch,
        );
      }
    }
    await this.finish();
    this.log(`verified ${expected.map(([algorithm, digest]) => `${algorithm}=:${digest}:`).join(', ')}`);
    this.log(`saved ${this.options.file} (${state.size} bytes)`);
    return EXIT.ok;
  }

  /**
   * A server computes digests in the background, so the first responses may have had none. Ask
   * again with HEAD until it has one, for as long as --digest-wait allows. The answer must be for
   * the version we downloaded (same ETag); for another version it is useless.
   */
  private async askForDigest(state: PartState): Promise<string | undefined> {
    const deadline = Date.now() + this.options.digestWaitMs;
    let announced = false;
    for (;;) {
      const head = await this.request('HEAD', {});
      const etag = head.headers.get('etag') ?? undefined;
      if (head.status !== 200 || (state.etag !== undefined && etag !== state.etag)) {
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

  private async request(method: 'GET' | 'HEAD', headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    try {
      const response = await fetch(this.options.url, {
        method,
        signal,
        redirect: 'follow',
        // identity: the bytes we store are the representation itself, not a compressed form of it.
        headers: { 'Accept-Encoding': 'identity', 'Want-Repr-Digest': WANT_REPR_DIGEST, ...headers },
      });
      if (response.status >= 500) {
        await discardBody(response);
        throw new Interrupted(`HTTP ${response.status}`);
      }
      return response;
    } catch (error) {
      if (error instanceof Interrupted || isAbort(error)) throw error;
      throw new Interrupted(describe(error));
    }
  }

  private async loadState(): Promise<PartState | undefined> {
    if (!existsSync(this.partPath) || !existsSync(this.statePath)) return undefined;
    try {
      const state = JSON.parse(await readFile(this.statePath, 'utf8')) as PartState;
      if (!sameResource(state.url, this.options.url) || !Array.isArray(state.segments) || typeof state.size !== 'number') return undefined;
      if (state.etag === undefined && state.lastModified === undefined) return undefined; // nothing to resume safely against
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
        const temporary = `${this.statePath}.tmp`;
        this.lastSaved = completed(state);
        await writeFile(temporary, JSON.stringify(state, null, 2));
        await rename(temporary, this.statePath);
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
    if (!this.options.quiet) process.stderr.write(`fetch: ${message}\n`);
  }
}

function completed(state: PartState): number {
  return state.segments.reduce((sum, segment) => sum + segment.done, 0);
}

/** N contiguous segments covering 0..size-1. */
function split(size: number, count: number): Segment[] {
  const length = Math.ceil(size / count);
  const segments: Segment[] = [];
  for (let start = 0; start < size; start += length) segments.push({ start, end: Math.min(size, start + length) - 1, done: 0 });
  return segments;
}

function validatorsOf(response: Response): { etag?: string; lastModified?: string } {
  const etag = response.headers.get('etag') ?? undefined;
  // Only a strong ETag may be sent in If-Range (RFC 9110 §13.1.5).
  return { etag: etag?.startsWith('W/') ? undefined : etag, lastModified: response.headers.get('last-modified') ?? undefined };
}

function contentLength(response: Response): number | undefined {
  const value = response.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

function reprDigestOf(response: Response): string | undefined {
  return response.headers.get('repr-digest') ?? undefined;
}

/**
 * The members of a Repr-Digest Dictionary (RFC 9530 §3, RFC 9651 §3.2) that we can check:
 * `algorithm=:base64:` for the algorithms we know, strongest first. Members of other shapes are
 * skipped, as the RFC asks of unknown algorithms.
 */
function checkable(field: string): Array<[string, string]> {
  const members = new Map<string, string>();
  for (const member of field.split(',')) {
    const match = /^\s*([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/]*={0,2}):(?:;.*)?\s*$/.exec(member);
    if (match) members.set(match[1], match[2]);
  }
  return HASHES.flatMap(([algorithm]) =>
    members.has(algorithm) ? [[algorithm, members.get(algorithm) as string] as [string, string]] : [],
  );
}

function sameDigests(a: string, b: string): boolean {
  const left = new Map(checkable(a));
  return checkable(b).every(([algorithm, digest]) => !left.has(algorithm) || left.get(algorithm) === digest);
}

async function hashFile(path: string, algorithms: readonly string[]): Promise<Map<string, string>> {
  const hashes = algorithms.map(
    (algorithm) => [algorithm, createHash(HASHES.find(([name]) => name === algorithm)?.[1] ?? 'sha256')] as const,
  );
  const handle = await open(path, 'r');
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 })) {
      for (const [, hash] of hashes) hash.update(chunk as Buffer);
    }
  } finally {
    await handle.close();
  }
  return new Map(hashes.map(([algorithm, hash]) => [algorithm, hash.digest('base64')]));
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as the signal aborts, whichever comes
 * first, so that awaiting it cannot outlive an abort. Without a signal, `promise` itself.
 */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // it may still fail later; nobody waits for it any more
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Drops a response's body we will not read, so its connection does not stay open for it. */
async function discardBody(response: Response): Promise<void> {
  if (response.body !== null && !response.bodyUsed) await response.body.cancel().catch(() => undefined);
}

/** Reads the JSON error body's `reason` (403 of a signed link, 412 of a pinned one) and says what it means. */
async function httpError(response: Response): Promise<FetchError> {
  let reason: unknown;
  try {
    reason = (JSON.parse(await response.text()) as { reason?: unknown }).reason;
  } catch {
    await discardBody(response);
  }
  const status = `HTTP ${response.status} ${response.statusText}${typeof reason === 'string' ? `, reason: ${reason}` : ''}`;
  if (response.status === 403 && reason === 'expired') {
    return new FetchError(
      `the link has EXPIRED (${status}). Get a new link to the same file and run again with it: what was downloaded so far is kept and resumed`,
      EXIT.expired,
    );
  }
  if (response.status === 412 && reason === 'changed') {
    return new FetchError(
      `the link is pinned to a version of the file that is no longer on the server (${status}); get a new link`,
      EXIT.failed,
    );
  }
  return new FetchError(`${status} for ${urlWithoutSignature(response.url)}`, EXIT.failed);
}

/** Signed-link parameters that change whenever a link is made again for the same file. */
const LINK_CREDENTIALS = ['exp', 'kid', 'sig'];

/** The URL without exp, kid and sig: a new link to the same file resumes the same download. */
function urlWithoutSignature(url: string): string {
  const parsed = new URL(url);
  for (const name of LINK_CREDENTIALS) parsed.searchParams.delete(name);
  return parsed.href;
}

function sameResource(a: string, b: string): boolean {
  try {
    return urlWithoutSignature(a) === urlWithoutSignature(b);
  } catch {
    return false;
  }
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}

function describe(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function parseOptions(argv: readonly string[]): Options | 'help' | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      parallel: { type: 'string', short: 'p', default: '1' },
      retries: { type: 'string', short: 'r', default: '5' },
      'digest-wait': { type: 'string', default: '30' },
      'require-digest': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length < 1 || positionals.length > 2) return undefined;
  const [url, file] = positionals;
  const parallel = Number(values.parallel);
  const retries = Number(values.retries);
  const digestWait = Number(values['digest-wait']);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new FetchError('--parallel must be an integer from 1 to 64', EXIT.failed);
  if (!Number.isInteger(retries) || retries < 0) throw new FetchError('--retries must be a non-negative integer', EXIT.failed);
  if (!Number.isFinite(digestWait) || digestWait < 0) throw new FetchError('--digest-wait must be a number of seconds', EXIT.failed);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FetchError(`not a URL: ${url}`, EXIT.failed);
  }
  const name = file ?? (decodeURIComponent(basename(target.pathname)) || 'download');
  return {
    url: target.href,
    // `npm run` changes into the package folder; INIT_CWD is where the user typed the command.
    file: resolve(process.env.INIT_CWD ?? process.cwd(), name),
    parallel,
    retries,
    digestWaitMs: digestWait * 1000,
    requireDigest: values['require-digest'] ?? false,
    quiet: values.quiet ?? false,
  };
}

async function main(): Promise<number> {
  try {
    const options = parseOptions(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (options === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return EXIT.failed;
    }
    return await new Download(options).run();
  } catch (error) {
    const code = error instanceof FetchError ? error.exitCode : EXIT.failed;
    process.stderr.write(`fetch: ${code === EXIT.mismatch ? 'ERROR: ' : ''}${error instanceof Error ? error.message : String(error)}\n`);
    return code;
  }
}

process.exitCode = await main();
