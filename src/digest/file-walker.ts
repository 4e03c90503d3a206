import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { isHiddenName } from '../http/request-path.js';
import { versionOf, type LocatedVersion } from '../files/file-version.js';

/**
 * Every regular file the service could serve under the roots, for DIGEST_PRECOMPUTE: dot-names are
 * skipped as the service skips them, and symlinks are not followed (a linked file is hashed when it
 * is first requested, through the same checks as every request). Read-only; one folder open at a
 * time, so memory stays flat however large the tree.
 */
export async function* filesUnder(roots: readonly string[]): AsyncGenerator<LocatedVersion> {
  for (const root of roots) yield* walk(root);
}

async function* walk(folder: string): AsyncGenerator<LocatedVersion> {
  let directory;
  try {
    directory = await opendir(folder);
  } catch {
    return; // unreadable or gone: nothing to precompute there
  }
  const subfolders: string[] = [];
  for await (const entry of directory) {
    if (isHiddenName(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) subfolders.push(path);
    if (!entry.isFile()) continue;
    try {
      const stats = await lstat(path, { bigint: true });
      if (stats.isFile()) yield { path, version: versionOf(stats) };
    } catch {
      // vanished since the listing
    }
  }
  for (const subfolder of subfolders) yield* walk(subfolder);
}
