import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, FetchError } from './exit-codes.js';

export const USAGE = `usage: npm run fetch -- [options] URL [FILE]

Downloads URL to FILE (default: the last segment of the URL path), resuming from FILE.part when an
earlier run was interrupted, and checks the result against the server's Repr-Digest. A FILE that
is already there and matches the server's Repr-Digest is not downloaded again.

options:
  -p, --parallel N       fetch in N parallel ranged segments (default 1)
  -r, --retries N        resume automatically up to N times after a broken connection (default 5)
      --digest-wait S    how long to keep asking for a Repr-Digest the server has not computed yet (default 30)
      --require-digest   fail (exit 4) when the server sends no Repr-Digest, instead of warning
      --force            replace an existing FILE that is not (or cannot be shown to be) this download
      --progress-every S when stderr is not a terminal, a progress line every S seconds (default 5)
  -q, --quiet            only errors
  -h, --help

Ctrl-C stops the download and keeps what arrived: run the same command again to resume.

exit codes: 0 downloaded and verified (or unverifiable, with a warning), or already there and
verified; 1 usage or HTTP error; 2 interrupted (Ctrl-C, or connections kept breaking: run again to
resume); 3 digest mismatch; 4 no digest with --require-digest; 5 cannot connect to the server;
6 the signed link expired (run again with a new link to the same file: the download resumes)`;

export interface Options {
  readonly url: string;
  readonly file: string;
  readonly parallel: number;
  readonly retries: number;
  readonly digestWaitMs: number;
  readonly requireDigest: boolean;
  readonly force: boolean;
  readonly progressEveryMs: number;
  readonly quiet: boolean;
}

/**
 * The command line as options, 'help', or undefined for a usage error. `cwd` is where FILE is
 * resolved: `npm run` changes into the package folder, INIT_CWD is where the user typed the command.
 */
export function parseOptions(argv: readonly string[], cwd: string): Options | 'help' | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        parallel: { type: 'string', short: 'p', default: '1' },
        retries: { type: 'string', short: 'r', default: '5' },
        'digest-wait': { type: 'string', default: '30' },
        'require-digest': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'progress-every': { type: 'string', default: '5' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new FetchError(error instanceof Error ? error.message : String(error), EXIT.failed);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length < 1 || positionals.length > 2) return undefined;
  const [url, file] = positionals;
  const parallel = Number(values.parallel);
  const retries = Number(values.retries);
  const digestWait = Number(values['digest-wait']);
  const progressEvery = Number(values['progress-every']);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new FetchError('--parallel must be an integer from 1 to 64', EXIT.failed);
  if (!Number.isInteger(retries) || retries < 0) throw new FetchError('--retries must be a non-negative integer', EXIT.failed);
  if (!Number.isFinite(digestWait) || digestWait < 0) throw new FetchError('--digest-wait must be a number of seconds', EXIT.failed);
  if (!Number.isFinite(progressEvery) || progressEvery <= 0)
    throw new FetchError('--progress-every must be a positive number of seconds', EXIT.failed);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FetchError(`not a URL: ${url}`, EXIT.failed);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new FetchError(`not an http(s) URL: ${url}`, EXIT.failed);
  const name = file ?? (safeDecode(basename(target.pathname)) || 'download');
  return {
    url: target.href,
    file: resolve(cwd, name),
    parallel,
    retries,
    digestWaitMs: digestWait * 1000,
    requireDigest: values['require-digest'] ?? false,
    force: values.force ?? false,
    progressEveryMs: progressEvery * 1000,
    quiet: values.quiet ?? false,
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
