import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary folder to serve, removed by `cleanup()`. */
export class TempRoot {
  readonly path = mkdtempSync(join(tmpdir(), 'rds-'));

  write(relativePath: string, content: string | Buffer): Buffer {
    const target = join(this.path, relativePath);
    mkdirSync(dirname(target), { recursive: true });
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    writeFileSync(target, bytes);
    return bytes;
  }

  /** Random bytes: any corruption or misplaced range shows up in the comparison. */
  writeRandom(relativePath: string, size: number): Buffer {
    return this.write(relativePath, randomBytes(size));
  }

  resolve(relativePath: string): string {
    return join(this.path, relativePath);
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The Repr-Digest member the service sends for `bytes`: `sha-256=:<base64>:` (RFC 9530). */
export function reprDigestField(algorithm: 'sha256' | 'sha512', bytes: Buffer): string {
  return `${algorithm.replace('sha', 'sha-')}=:${createHash(algorithm).update(bytes).digest('base64')}:`;
}
