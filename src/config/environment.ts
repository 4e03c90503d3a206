import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSigningKeys, SigningKeyError, type SigningKey } from '../access/signing-keys.js';
import { parseTokenEntries, TokenEntryError, type TokenEntry } from '../access/tokens.js';

/** A bad setting at start-up. main.ts prints its message as one line and exits non-zero. */
export class ConfigurationError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Strict integer parsing: '3000' → 3000, but '', '3e3', '30x', ' 1' stay strings and fail IsInt. */
function toStrictInt({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

/** A whole number in [min, max], parsed strictly from the environment string, with one message for every failure. */
function IsIntegerBetween(min: number, max: number, what = 'an integer'): PropertyDecorator {
  const message = `must be ${what} between ${min} and ${max}`;
  const decorators = [Transform(toStrictInt), IsInt({ message }), Min(min, { message }), Max(max, { message })];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

/**
 * `redis://[user:password@]host[:port][/db]`, parsed by the WHATWG URL parser (no regex over the
 * value): a host, a port in 1-65535, a database number, nothing else.
 */
export function isRedisUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  const port = url.port === '' ? 6379 : Number(url.port);
  return (
    url.protocol === 'redis:' &&
    url.hostname !== '' &&
    port >= 1 &&
    port <= 65535 &&
    /^(\/\d{0,5})?$/.test(url.pathname) &&
    url.search === '' &&
    url.hash === ''
  );
}

/** Settings whose value may hold a password: a bad one is never echoed back. */
const SECRET_BEARING = new Set(['DIGEST_STORE']);

/**
 * Every environment variable the service reads, with its default. Validated once at start-up
 * (ConfigModule.forRoot({ validate })); the README's configuration table mirrors this class.
 */
export class EnvironmentVariables {
  /**
   * Folder(s) to serve, comma-separated; looked up in order, first hit wins. Parsed once, here:
   * the setting is the list of real paths (symlinks resolved), each checked to be a readable folder.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? parseRoots(value) : value))
  @ArrayNotEmpty({ message: 'must name at least one folder' })
  FILES_ROOT: readonly string[] = [];

  @IsIntegerBetween(0, 65535)
  PORT = 3000;

  @IsString()
  @IsNotEmpty({ message: 'must not be empty' })
  HOST = '0.0.0.0';

  /** RFC 6266 disposition type sent with every file. */
  @IsIn(['inline', 'attachment'], { message: 'must be "inline" or "attachment"' })
  CONTENT_DISPOSITION: 'inline' | 'attachment' = 'inline';

  /** Most ranges honoured in one Range header; a request with more gets the whole file (200). */
  @IsIntegerBetween(1, 1000)
  MAX_RANGES = 16;

  /** RFC 9530 Repr-Digest on file responses, computed in the background and cached. */
  @IsIn(['on', 'off'], { message: 'must be "on" or "off"' })
  DIGEST: 'on' | 'off' = 'on';

  /** Hash every file under the roots at start-up (in the background) instead of on first request. */
  @IsIn(['true', 'false'], { message: 'must be "true" or "false"' })
  DIGEST_PRECOMPUTE: 'true' | 'false' = 'false';

  /** Most files whose digests are kept in memory (LRU); about 0.6 KB each (`npm run bench:digest` weighs it). */
  @IsIntegerBetween(1, 10_000_000)
  DIGEST_CACHE_ENTRIES = 50_000;

  /** pino level of the JSON logs (access log lines are `info`); `silent` turns logging off. */
  @IsIn([...LOG_LEVELS], { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** On SIGTERM/SIGINT, how long in-flight downloads may run on before their connections are cut. */
  @IsIntegerBetween(0, 3_600_000, 'an integer number of milliseconds')
  SHUTDOWN_GRACE_MS = 30_000;

  /** Processes serving requests (node:cluster): 1, up to 64, or `auto` for one per available core. */
  @Matches(/^(auto|[1-9]|[1-5][0-9]|6[0-4])$/, { message: 'must be "auto" or an integer between 1 and 64' })
  WORKERS = '1';

  /**
   * `true` when the service is reached through one reverse proxy (HAProxy, a load balancer) that
   * appends the peer it saw to X-Forwarded-For: the client's address is then that last entry.
   * `false`: the header is ignored (a client could write anything in it) and the address is the
   * socket's peer.
   */
  @IsIn(['true', 'false'], { message: 'must be "true" or "false"' })
  TRUST_PROXY: 'true' | 'false' = 'false';

  /**
   * Optional shared store of digests (`redis://host:port/db`): a digest computed by any replica or
   * an earlier process is reused by all. Empty: none (every process hashes for itself).
   */
  @ValidateIf((settings: EnvironmentVariables) => settings.DIGEST_STORE !== '')
  @ValidateBy({ name: 'isRedisUrl', validator: { validate: isRedisUrl, defaultMessage: () => 'must be a URL redis://host[:port][/db]' } })
  DIGEST_STORE = '';

  /** Seconds a digest stays in the shared store after it was written. */
  @IsIntegerBetween(60, 31_536_000, 'an integer number of seconds')
  DIGEST_STORE_TTL = 2_592_000;

  /** `public`: every file is served to anyone; `private`: a signed link or a bearer token is required. */
  @IsIn(['public', 'private'], { message: 'must be "public" or "private"' })
  ACCESS: 'public' | 'private' = 'public';

  /**
   * `KEYID:SECRET` entries (comma- or line-separated), decoded here; the first key signs, every
   * key verifies. The messages of a bad entry never repeat a secret.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? parseEntries('SIGNING_KEYS', value, parseSigningKeys) : value))
  SIGNING_KEYS: readonly SigningKey[] = [];

  /** The same entries read from a file (Docker secrets); setting both is an error. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? parseEntries('SIGNING_KEYS_FILE', readSetting('SIGNING_KEYS_FILE', value), parseSigningKeys) : value,
  )
  SIGNING_KEYS_FILE: readonly SigningKey[] = [];

  /** `NAME:SHA256HEX[:ROLE]` entries: the hex SHA-256 of each token, never the token. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? parseEntries('API_TOKENS', value, parseTokenEntries) : value))
  API_TOKENS: readonly TokenEntry[] = [];

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? parseEntries('API_TOKENS_FILE', readSetting('API_TOKENS_FILE', value), parseTokenEntries) : value,
  )
  API_TOKENS_FILE: readonly TokenEntry[] = [];

  /** Longest lifetime of a signed link, in seconds (minting refuses longer). */
  @IsIntegerBetween(1, 31_536_000, 'a number of seconds')
  LINK_MAX_TTL = 604_800;

  /** Absolute URL prefix for minted links (`https://files.example.com`), kept without a trailing slash; unset: relative links. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? parsePublicBaseUrl(value) : value))
  @IsString()
  PUBLIC_BASE_URL = '';

  /** Failed authentications per client address and window before 429 (0 turns the limit off); per process. */
  @IsIntegerBetween(0, 1_000_000)
  AUTH_FAILURE_LIMIT = 30;

  @IsIntegerBetween(1, 86_400, 'a number of seconds')
  AUTH_FAILURE_WINDOW = 60;
}

/** The access settings in the shape the access module uses (AccessConfig): one list of keys, one of tokens. */
export interface AccessSettings {
  readonly mode: 'public' | 'private';
  /** The first one signs; all verify. */
  readonly signingKeys: readonly SigningKey[];
  readonly tokens: readonly TokenEntry[];
  readonly linkMaxTtlSeconds: number;
  /** Without a trailing slash; undefined: minted links are relative. */
  readonly publicBaseUrl: string | undefined;
  readonly failureLimit: number;
  readonly failureWindowSeconds: number;
}

/** The validated access settings, combined: each list comes from its variable or its _FILE form. */
export function accessSettingsOf(env: EnvironmentVariables): AccessSettings {
  return {
    mode: env.ACCESS,
    signingKeys: env.SIGNING_KEYS.length > 0 ? env.SIGNING_KEYS : env.SIGNING_KEYS_FILE,
    tokens: env.API_TOKENS.length > 0 ? env.API_TOKENS : env.API_TOKENS_FILE,
    linkMaxTtlSeconds: env.LINK_MAX_TTL,
    publicBaseUrl: env.PUBLIC_BASE_URL === '' ? undefined : env.PUBLIC_BASE_URL,
    failureLimit: env.AUTH_FAILURE_LIMIT,
    failureWindowSeconds: env.AUTH_FAILURE_WINDOW,
  };
}

/** How many processes WORKERS asks for: `auto` is one per core the process may use. */
export function workerCount(workers: string, availableCores: number): number {
  return workers === 'auto' ? Math.max(1, availableCores) : Number(workers);
}

const KNOWN_VARIABLES = Object.keys(new EnvironmentVariables()) as (keyof EnvironmentVariables)[];

/** The shipped sample folder, relative to the working directory. */
const DEFAULT_FILES_ROOT = 'files';

/**
 * ConfigModule's `validate` hook: takes the raw environment, returns typed settings or throws a
 * ConfigurationError naming the first bad variable. Empty strings count as unset (compose files
 * often pass `VAR=`).
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const relevant: Record<string, unknown> = { FILES_ROOT: DEFAULT_FILES_ROOT };
  for (const key of KNOWN_VARIABLES) {
    if (raw[key] !== undefined && raw[key] !== '') relevant[key] = raw[key];
  }
  // Before the values are parsed, so that the message says what is wrong with the pair.
  for (const variable of ['SIGNING_KEYS', 'API_TOKENS']) {
    if (relevant[variable] !== undefined && relevant[`${variable}_FILE`] !== undefined) {
      throw new ConfigurationError(variable, `and ${variable}_FILE are both set; use one`);
    }
  }
  const settings = plainToInstance(EnvironmentVariables, relevant, { exposeDefaultValues: true });
  const [first] = validateSync(settings, { forbidUnknownValues: true });
  if (first) throw describeValidationError(first, relevant);
  checkAccessSettings(settings);
  return settings;
}

/** Private mode needs something to accept. */
function checkAccessSettings(settings: EnvironmentVariables): void {
  const access = accessSettingsOf(settings);
  if (access.mode === 'private' && access.signingKeys.length === 0 && access.tokens.length === 0) {
    throw new ConfigurationError('ACCESS', '"private" needs SIGNING_KEYS or API_TOKENS (or their _FILE forms): nothing could be served');
  }
}

/** The content of a `_FILE` setting (Docker secrets: `/run/secrets/...`). */
function readSetting(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
    throw new ConfigurationError(variable, `cannot be read (${code ?? 'error'}): ${path}`);
  }
}

/** Runs an entry parser, turning its error into a ConfigurationError naming the variable. */
function parseEntries<T>(variable: string, text: string, parse: (text: string) => T[]): T[] {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof SigningKeyError || error instanceof TokenEntryError) throw new ConfigurationError(variable, error.message);
    throw error;
  }
}

/** An absolute http(s) URL without query, fragment or credentials; returned without a trailing slash. */
function parsePublicBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError('PUBLIC_BASE_URL', `must be an absolute http(s) URL (got ${JSON.stringify(value)})`);
  }
  const plain = url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !plain) {
    throw new ConfigurationError(
      'PUBLIC_BASE_URL',
      `must be an http(s) URL without query, fragment or credentials (got ${JSON.stringify(value)})`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function describeValidationError(error: ValidationError, raw: Record<string, unknown>): ConfigurationError {
  const problem = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  const hidden = raw[error.property] === undefined || SECRET_BEARING.has(error.property);
  const shown = hidden ? '' : ` (got ${JSON.stringify(raw[error.property])})`;
  return new ConfigurationError(error.property, `${problem.replace(new RegExp(`^${error.property} `), '')}${shown}`);
}

/**
 * Splits FILES_ROOT into real folder paths (relative ones are resolved against the working
 * directory, symlinks resolved) and checks that each is an existing, readable, searchable directory.
 */
function parseRoots(value: string): string[] {
  const roots = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => resolve(part));
  if (roots.length === 0) throw new ConfigurationError('FILES_ROOT', 'must name at least one folder');
  for (const root of roots) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      throw new ConfigurationError('FILES_ROOT', `folder does not exist: ${root}`);
    }
    if (!isDirectory) throw new ConfigurationError('FILES_ROOT', `is not a directory: ${root}`);
    try {
      accessSync(root, constants.R_OK | constants.X_OK);
    } catch {
      throw new ConfigurationError('FILES_ROOT', `folder is not readable: ${root}`);
    }
  }
  return roots.map((root) => realpathSync(root));
}
