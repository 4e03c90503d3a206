import { HttpError } from '../common/http-error.js';
import type { FileStorageService } from '../files/file-storage.service.js';
import { strongETag } from '../http/validators.js';
import type { AccessConfig } from './access-config.js';
import { isFileName, isScope } from './file-query.js';
import { encodePath, linkQuery, type LinkClaims } from './signed-link.js';

/** What a caller asks for: the `POST /.api/links` body and the `npm run sign` options. */
export interface LinkRequest {
  /** The decoded path of the file (`/docs/a b.pdf`), or of the folder with `scope`. */
  readonly path: string;
  /** Seconds; default one hour (or LINK_MAX_TTL when that is shorter). */
  readonly ttl?: number;
  /** Pin the file's current version (default true; not with `scope`). */
  readonly pin?: boolean;
  readonly scope?: boolean;
  readonly download?: boolean;
  readonly filename?: string;
}

export interface MintedLink {
  /** Absolute with PUBLIC_BASE_URL, else relative (`/docs/a.pdf?exp=...`). */
  readonly url: string;
  /** ISO 8601: the link is refused from this instant on. */
  readonly expiresAt: string;
  /** The file's version when the link was made (the ETag without quotes); null for a scope. */
  readonly version: string | null;
}

export const DEFAULT_TTL_SECONDS = 3600;

const UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** `3600`, `90s`, `30m`, `1h`, `7d` → seconds (`npm run sign -- --ttl`); undefined when it is none of those. */
export function parseTtl(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,9})([smhd]?)$/.exec(text);
  return match === null ? undefined : Number(match[1]) * UNITS[match[2]];
}

/** 400: the link asked for cannot be made; the message names the field. */
export class LinkRequestError extends HttpError {
  readonly status = 400;
}

/** 503: no SIGNING_KEYS, so this instance cannot sign. */
export class NoSigningKeyError extends HttpError {
  readonly status = 503;
  constructor() {
    super('SIGNING_KEYS is not set: this service cannot make links');
  }
}

/**
 * Makes signed links. Pinned links read the file's current version through FileStorageService,
 * the same code that serves it, so the pin is exactly the ETag a download would get. A missing
 * file is FileNotFoundError (404: the caller holds a token and may know).
 */
export class LinkMinter {
  constructor(
    private readonly config: AccessConfig,
    private readonly storage: FileStorageService,
  ) {}

  mint(request: LinkRequest, nowMs = Date.now()): MintedLink {
    const key = this.config.signingKey;
    if (key === undefined) throw new NoSigningKeyError();
    const ttl = request.ttl ?? Math.min(DEFAULT_TTL_SECONDS, this.config.linkMaxTtlSeconds);
    if (!Number.isSafeInteger(ttl) || ttl < 1) throw new LinkRequestError('ttl must be a whole number of seconds, at least 1');
    if (ttl > this.config.linkMaxTtlSeconds) {
      throw new LinkRequestError(`ttl must be at most LINK_MAX_TTL (${this.config.linkMaxTtlSeconds} seconds)`);
    }
    if (request.filename !== undefined && !isFileName(request.filename)) {
      throw new LinkRequestError('filename must be a plain file name (no slash, backslash or control character, at most 255 characters)');
    }
    const scope = request.scope === true;
    const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
    let resource = path;
    let current: string | null = null;
    if (scope) {
      if (request.pin === true) throw new LinkRequestError('pin cannot be used with scope: a scope covers many files');
      if (request.filename !== undefined) throw new LinkRequestError('filename cannot be used with scope');
      if (!resource.endsWith('/')) resource += '/';
      if (!isScope(resource)) throw new LinkRequestError('path must be a folder path, such as /videos/2024/');
    } else {
      // The same segment rules as a scope, and no trailing slash (`/a/` + `/` has an empty segment).
      if (!isScope(`${path}/`)) throw new LinkRequestError('path must be a file path, such as /docs/report.pdf');
      current = this.currentVersion(path.slice(1).split('/'));
    }
    const claims: LinkClaims = {
      resource,
      scope,
      expires: Math.ceil(nowMs / 1000) + ttl,
      version: current !== null && request.pin !== false ? current : undefined,
      download: request.download === true,
      filename: request.filename,
    };
    return {
      url: `${this.config.publicBaseUrl ?? ''}${encodePath(resource)}?${linkQuery(key, claims)}`,
      expiresAt: new Date(claims.expires * 1000).toISOString(),
      version: current,
    };
  }

  /** The version a download of the file would get now: its strong ETag without the quotes. */
  private currentVersion(segments: readonly string[]): string {
    const file = this.storage.open(segments);
    file.descriptor.close();
    return strongETag(file.version.size, file.version.mtimeNs).slice(1, -1);
  }
}
