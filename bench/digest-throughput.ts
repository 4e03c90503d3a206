/**
 * `npm run bench:digest`: how fast the service computes Repr-Digest, against coreutils on the same
 * file, and what that costs the event loop and memory.
 *
 * 1. Writes a random file (BENCH_DIGEST_MB, default 512 MiB) to the temp folder and reads it once,
 *    so every contender hashes from the page cache and the numbers compare hashing, not the disk.
 * 2. Best of BENCH_DIGEST_RUNS (default 3) wall times: `sha256sum`, `sha512sum`, and DigestService
 *    hashing the file in its worker thread (the service's real code path, message passing included).
 * 3. The main thread's event-loop delay while the worker hashes: it should stay near zero.
 * 4. Heap bytes per digest-cache entry, which sizes DIGEST_CACHE_ENTRIES.
 *
 * Uses the compiled worker, so the npm script builds first.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AppConfig } from '../src/config/app-config.js';
import { DigestService } from '../src/digest/digest.service.js';
import { SETTLE_NS } from '../src/digest/settle.js';
import { versionOf } from '../src/files/file-version.js';
import type { DigestAlgorithm } from '../src/http/digest-fields.js';

const SIZE_MB = Number(process.env.BENCH_DIGEST_MB ?? 512);
const RUNS = Number(process.env.BENCH_DIGEST_RUNS ?? 3);
const CACHE_SAMPLE = 100_000;
const SAMPLE_MS = 10;

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  const block = randomBytes(4 * 1024 * 1024);
  try {
    for (let written = 0; written < bytes; written += block.length) {
      await handle.write(block, 0, Math.min(block.length, bytes - written));
      block.writeUInt32LE(written >>> 0, 0); // no two blocks alike
    }
  } finally {
    await handle.close();
  }
}

async function warm(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) void chunk;
}

function lag(delayNs: number): string {
  return Math.max(0, delayNs / 1e6 - SAMPLE_MS).toFixed(1);
}

function best(samples: number[]): number {
  return Math.min(...samples);
}

function mbPerSecond(bytes: number, ms: number): string {
  return (bytes / 1024 / 1024 / (ms / 1000)).toFixed(0).padStart(6);
}

async function timeIt(run: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return best(samples);
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'rds-bench-digest-'));
  const path = join(folder, 'random.bin');
  const bytes = SIZE_MB * 1024 * 1024;
  const service = new DigestService(
    new AppConfig({ roots: [folder], digest: { enabled: true, precompute: false, cacheEntries: CACHE_SAMPLE } }),
  );
  try {
    process.stdout.write(`writing ${SIZE_MB} MiB of random bytes to ${path}\n`);
    await writeRandomFile(path, bytes);
    await warm(path);
    await new Promise((resolve) => setTimeout(resolve, Number(SETTLE_NS / 1_000_000n) + 100)); // let the file settle
    const stats = statSync(path, { bigint: true });
    const file = { path, version: versionOf(stats) };

    const rows: Array<[string, number]> = [];
    rows.push(['sha256sum (coreutils)', await timeIt(() => execFileSync('sha256sum', [path]))]);
    if (hasCommand('openssl')) rows.push(['openssl dgst -sha256', await timeIt(() => execFileSync('openssl', ['dgst', '-sha256', path]))]);
    const hashWith = (algorithm: DigestAlgorithm) => async () => {
      const outcome = await service.compute(file, [algorithm]);
      if (outcome.kind !== 'hashed') throw new Error(`worker did not hash: ${JSON.stringify(outcome)}`);
    };
    const delay = monitorEventLoopDelay({ resolution: SAMPLE_MS });
    delay.enable();
    rows.push(['DigestService worker, sha-256', await timeIt(hashWith('sha-256'))]);
    delay.disable();
    rows.push(['sha512sum (coreutils)', await timeIt(() => execFileSync('sha512sum', [path]))]);
    rows.push(['DigestService worker, sha-512', await timeIt(hashWith('sha-512'))]);

    process.stdout.write(`\nhashing ${SIZE_MB} MiB from the page cache, best of ${RUNS} runs\n`);
    process.stdout.write('  MB/s   ms       what\n');
    for (const [name, ms] of rows) process.stdout.write(`${mbPerSecond(bytes, ms)}  ${ms.toFixed(0).padStart(6)}  ${name}\n`);
    process.stdout.write(
      `\nmain thread while the worker hashed (sha-256), event-loop lag beyond the ${SAMPLE_MS} ms sampling timer: ` +
        `p50 ${lag(delay.percentile(50))} ms, p99 ${lag(delay.percentile(99))} ms, max ${lag(delay.max)} ms\n`,
    );
    process.stdout.write(
      `digest cache: ${await bytesPerCacheEntry()} heap bytes per entry (sha-256 only), measured over ${CACHE_SAMPLE} entries\n`,
    );
  } finally {
    await service.onModuleDestroy();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Fills a cache the way hashing does (through its private store) and weighs the heap. */
async function bytesPerCacheEntry(): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return '? (run with node --expose-gc)';
  const service = new DigestService(
    new AppConfig({ roots: ['/'], digest: { enabled: true, precompute: false, cacheEntries: CACHE_SAMPLE } }),
  );
  const store = (service as unknown as { store: (version: object, digests: Array<[DigestAlgorithm, Uint8Array]>) => void }).store.bind(
    service,
  );
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < CACHE_SAMPLE; i += 1) {
    const version = { dev: 2049n, ino: BigInt(1_000_000 + i), size: i * 1000, mtimeNs: now - BigInt(i), ctimeNs: now - BigInt(i) };
    store(version, [['sha-256', new Uint8Array(randomBytes(32))]]);
  }
  gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  if (service.cachedFiles !== CACHE_SAMPLE) throw new Error('cache did not keep the sample');
  await service.onModuleDestroy();
  return ((after - before) / CACHE_SAMPLE).toFixed(0);
}

await main();
