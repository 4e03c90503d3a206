import { ERRORS } from '@tus/utils';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLocker } from './file-locker.js';

const FAST = { heartbeatMs: 20, staleMs: 400, pollMs: 10, acquireTimeoutMs: 3000 };

describe('FileLocker', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'rds-locks-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const never = new AbortController().signal;

  it('gives a lock to one holder at a time; the next gets it on unlock', async () => {
    const locker = new FileLocker(directory, FAST);
    const first = locker.newLock('upload');
    await first.lock(never, () => undefined);
    expect(existsSync(join(directory, 'upload.lock'))).toBe(true);

    const events: string[] = [];
    const second = locker.newLock('upload');
    const acquired = second.lock(never, () => undefined).then(() => events.push('second locked'));
    await new Promise((done) => setTimeout(done, 100));
    expect(events).toEqual([]);
    events.push('first unlocks');
    await first.unlock();
    await acquired;
    expect(events).toEqual(['first unlocks', 'second locked']);
    await second.unlock();
    expect(existsSync(join(directory, 'upload.lock'))).toBe(false);
  });

  it('locks different ids independently', async () => {
    const locker = new FileLocker(directory, FAST);
    const a = locker.newLock('a');
    const b = locker.newLock('b');
    await a.lock(never, () => undefined);
    await b.lock(never, () => undefined);
    await Promise.all([a.unlock(), b.unlock()]);
  });

  it('asks the holder to release (tus requestRelease), also across two lockers on one folder', async () => {
    const holderSide = new FileLocker(directory, FAST);
    const waiterSide = new FileLocker(directory, FAST); // another instance over the same shared folder
    const held = holderSide.newLock('upload');
    let asked = 0;
    await held.lock(never, async () => {
      asked += 1;
      await held.unlock(); // what tus does: the request is cancelled, and its lock released
    });
    const waiting = waiterSide.newLock('upload');
    await waiting.lock(never, () => undefined);
    expect(asked).toBe(1);
    await waiting.unlock();
  });

  it('breaks at once a lock whose owner is a process on this host that no longer exists', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(directory, 'upload.lock'), JSON.stringify({ token: 'old', host: hostname(), pid: dead }));
    const locker = new FileLocker(directory, { ...FAST, staleMs: 60_000 });
    const lock = locker.newLock('upload');
    await lock.lock(never, () => undefined); // within acquireTimeoutMs (3 s), far below staleMs (60 s): broken for the dead pid
    await lock.unlock();
  });

  it('breaks a lock of another host only once its file is stale', async () => {
    const path = join(directory, 'upload.lock');
    writeFileSync(path, JSON.stringify({ token: 'old', host: 'elsewhere', pid: 1 }));
    const locker = new FileLocker(directory, { ...FAST, acquireTimeoutMs: 150 });
    await expect(locker.newLock('upload').lock(never, () => undefined)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    const lock = locker.newLock('upload');
    await lock.lock(never, () => undefined);
    await lock.unlock();
  });

  it('keeps a held lock fresh, so it is never taken for stale', async () => {
    const locker = new FileLocker(directory, { ...FAST, acquireTimeoutMs: 1000 });
    const held = locker.newLock('upload');
    await held.lock(never, () => undefined); // ignores release requests
    await expect(locker.newLock('upload').lock(never, () => undefined)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await held.unlock();
  });

  it('gives up when the request is cancelled', async () => {
    const locker = new FileLocker(directory, FAST);
    const held = locker.newLock('upload');
    await held.lock(never, () => undefined);
    const controller = new AbortController();
    const waiting = locker.newLock('upload').lock(controller.signal, () => undefined);
    controller.abort();
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await held.unlock();
  });

  it('tells a holder whose lock was taken over to stop', async () => {
    const locker = new FileLocker(directory, FAST);
    const held = locker.newLock('upload');
    let stopped = false;
    await held.lock(never, () => {
      stopped = true;
    });
    writeFileSync(join(directory, 'upload.lock'), JSON.stringify({ token: 'someone else', host: hostname(), pid: process.pid }));
    await new Promise((done) => setTimeout(done, 200));
    expect(stopped).toBe(true);
    await held.unlock();
    expect(existsSync(join(directory, 'upload.lock'))).toBe(true); // not ours: left alone
  });
});
