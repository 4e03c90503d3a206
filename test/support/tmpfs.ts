import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Mounts a tmpfs with `options` (e.g. `size=8m`, `ro`) at a new folder and returns it. Needs root
 * (CAP_SYS_ADMIN): this fails the test with mount's own message rather than skipping it.
 */
export function mountTmpfs(options: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'rds-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0755`, 'tmpfs', folder], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot mount a tmpfs (run the tests as root): ${stderr ?? String(error)}`, { cause: error });
  }
  return folder;
}

export function unmount(folder: string): void {
  execFileSync('umount', [folder]);
  rmSync(folder, { recursive: true, force: true });
}
