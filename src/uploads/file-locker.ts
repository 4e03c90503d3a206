import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface FileLockerOptions {
  /** How long `lock` waits before failing with tus's ERR_LOCK_TIMEOUT (MemoryLocker's default: 30 s). */
  readonly acquireTimeoutMs?: number;
  /** How often a holder refreshes its lock file and looks for a release request. */
  readonly heartbeatMs?: number;
  /** A lock file not refreshed for this long belongs to a holder that is gone (another host's crash). */
  readonly staleMs?: number;
  /** How often a waiter tries again. */
  readonly pollMs?: number;
}

/** Who holds a lock: written into the lock file. */
interface LockOwner {
  readonly token: string;
  readonly host: string;
  readonly pid: number;
}

/**
 * tus's Locker over the shared file system, so that two PATCH requests on one upload never
 * interleave even when they reach different instances (@tus/server ships only MemoryLocker,
 * which is per process). The same semantics as MemoryLocker:
 *
 * - A lock is a file `<id>.lock`, created with O_EXCL (atomic on local file systems and NFSv3+),
 *   holding its owner's token, host and pid.
 * - A waiter asks the holder to let go (tus's `requestRelease`: a client that reconnects takes over
 *   from its own half-dead request) by writing the holder's token to `<id>.lock.release`; the
 *   holder sees it on its next heartbeat and calls its `requestRelease`.
 * - A holder refreshes its file's mtime every heartbeat. A lock is broken when its file is older
 *   than `staleMs` (the holder's host crashed), or at once when its owner is a process on this
 *   host that no longer exists (the server was killed and restarted).
 * - A holder that finds its lock file gone or taken over stops, as if asked to release.
 *
 * Written here because proper-lockfile, the usual npm lock over files, records no owner (so a
 * killed process's lock always costs the full stale period) and has no way to ask a holder to
 * let go.
 */
export class FileLocker implements Locker {
  readonly acquireTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly staleMs: number;
  readonly pollMs: number;
  readonly host = hostname();

  constructor(
    readonly directory: string,
    options: FileLockerOptions = {},
  ) {
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? 500;
    this.staleMs = options.staleMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
    mkdirSync(directory, { recursive: true });
  }

  newLock(id: string): Lock {
    return new FileLock(this, join(this.directory, `${id}.lock`));
  }
}

class FileLock implements Lock {
  private owner: LockOwner | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly locker: FileLocker,
    private readonly path: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const owner: LockOwner = { token: randomBytes(12).toString('hex'), host: this.locker.host, pid: process.pid };
    const deadline = Date.now() + this.locker.acquireTimeoutMs;
    let askedToRelease: string | undefined;
    for (;;) {
      // tus answers thrown {status_code, body} objects, its ERRORS, with that status.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (signal.aborted || Date.now() > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
      if (await this.tryCreate(owner)) break;
      const holder = await this.readHolder();
      if (holder === 'gone') continue;
      if (await this.isAbandoned(holder)) {
        await this.breakLock();
        continue;
      }
      if (holder !== undefined && holder.token !== askedToRelease) {
        askedToRelease = holder.token;
        await writeFile(`${this.path}.release`, holder.token).catch(() => undefined);
      }
      await new Promise((done) => setTimeout(done, this.locker.pollMs));
    }
    this.owner = owner;
    this.startHeartbeat(owner, requestRelease);
  }

  async unlock(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const owner = this.owner;
    this.owner = undefined;
    if (owner === undefined) return;
    // Only our own file is removed: a holder that was broken as stale must not remove its successor's.
    const holder = await this.readHolder();
    if (holder !== 'gone' && holder?.token === owner.token) await unlink(this.path).catch(() => undefined);
    if ((await readFile(`${this.path}.release`, 'utf8').catch(() => undefined)) === owner.token) {
      await unlink(`${this.path}.release`).catch(() => undefined);
    }
  }

  private async tryCreate(owner: LockOwner): Promise<boolean> {
    let handle;
    try {
      handle = await open(this.path, 'wx');
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    return true;
  }

  /** The current holder; undefined while its file is still being written; 'gone' when there is no file. */
  private async readHolder(): Promise<LockOwner | undefined | 'gone'> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return 'gone';
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<LockOwner>;
      return typeof parsed.token === 'string' && typeof parsed.host === 'string' && typeof parsed.pid === 'number'
        ? { token: parsed.token, host: parsed.host, pid: parsed.pid }
        : undefined;
    } catch {
      return undefined;
    }
  }

  private async isAbandoned(holder: LockOwner | undefined): Promise<boolean> {
    if (holder !== undefined && holder.host === this.locker.host && holder.pid !== process.pid && !processExists(holder.pid)) return true;
    try {
      return Date.now() - (await stat(this.path)).mtimeMs > this.locker.staleMs;
    } catch {
      return false; // gone meanwhile: the next attempt may create it
    }
  }

  /** Renamed away before removal, so two waiters breaking the same lock cannot remove a fresh one. */
  private async breakLock(): Promise<void> {
    const aside = `${this.path}.broken-${randomBytes(6).toString('hex')}`;
    try {
      await rename(this.path, aside);
    } catch {
      return; // someone else broke it first
    }
    await unlink(aside).catch(() => undefined);
  }

  private startHeartbeat(owner: LockOwner, requestRelease: RequestRelease): void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void Promise.resolve(requestRelease()).catch(() => undefined);
    };
    this.heartbeat = setInterval(() => {
      void (async () => {
        const holder = await this.readHolder().catch(() => undefined);
        if (holder === 'gone' || (holder !== undefined && holder.token !== owner.token)) return release();
        await utimes(this.path, new Date(), new Date()).catch(() => undefined);
        const asked = await readFile(`${this.path}.release`, 'utf8').catch(() => undefined);
        if (asked === owner.token) release();
      })();
    }, this.locker.heartbeatMs);
    this.heartbeat.unref();
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM'; // exists, but belongs to someone else
  }
}

/** Checked by shape: errors from Node's core may come from another realm (Jest's VM). */
function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}
