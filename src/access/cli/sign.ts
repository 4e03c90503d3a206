/**
 * `npm run sign -- PATH [--ttl 3600|1h|7d] [--scope] [--unpinned] [--download] [--filename NAME]`:
 * prints one signed URL on stdout. Reads the same settings as the server (environment, then
 * `.env`) and, for a pinned link (the default), the file's current version through the same
 * FileStorageService the server serves it with.
 */
import { parseArgs } from 'node:util';
import { AppConfig } from '../../config/app-config.js';
import { loadCliEnvironment } from '../../config/cli-environment.js';
import { ConfigurationError } from '../../config/environment.js';
import { HttpError } from '../../common/http-error.js';
import { FileNotFoundError } from '../../files/errors.js';
import { FileStorageService } from '../../files/file-storage.service.js';
import { AccessConfig } from '../access-config.js';
import { LinkMinter, parseTtl } from '../link-minter.js';

const USAGE = `usage: npm run sign -- PATH [options]

Prints a signed link to PATH (a file, or with --scope a folder), e.g. /docs/report.pdf.

options:
  --ttl T            lifetime: seconds, or with a unit: 90s, 30m, 1h, 7d (default 1h; at most LINK_MAX_TTL)
  --unpinned         do not pin the file's current version (the link serves whatever is there later)
  --scope            a link for every file below the folder PATH
  --download         Content-Disposition: attachment
  --filename NAME    the name the browser saves as
  -h, --help`;

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ttl: { type: 'string' },
      unpinned: { type: 'boolean', default: false },
      scope: { type: 'boolean', default: false },
      download: { type: 'boolean', default: false },
      filename: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  requested = positionals[0];
  const ttl = values.ttl === undefined ? undefined : parseTtl(values.ttl);
  if (values.ttl !== undefined && ttl === undefined)
    throw new UsageError(`--ttl must be seconds or a number with s, m, h or d (got ${values.ttl})`);
  const env = loadCliEnvironment();
  const minter = new LinkMinter(AccessConfig.fromEnvironment(env), new FileStorageService(AppConfig.fromEnvironment(env)));
  const link = minter.mint({
    path: positionals[0],
    ttl,
    pin: values.scope ? undefined : !values.unpinned,
    scope: values.scope,
    download: values.download,
    filename: values.filename,
  });
  process.stdout.write(`${link.url}\n`);
  return 0;
}

class UsageError extends Error {}

/** The PATH argument, for the message about a missing file. */
let requested = '';

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  // One line, as for the server's settings; a missing file says which path.
  const message =
    error instanceof FileNotFoundError
      ? `no such file under FILES_ROOT: ${requested}`
      : error instanceof ConfigurationError || error instanceof UsageError || error instanceof HttpError
        ? error.message
        : `failed: ${String(error)}`;
  process.stderr.write(`sign: ${message}\n`);
  process.exitCode = 1;
}
