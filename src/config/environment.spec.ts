import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { accessSettingsOf, ConfigurationError, validateEnvironment, workerCount } from './environment.js';

describe('validateEnvironment', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rds-config-'));
  const notAFolder = join(folder, 'file.txt');
  writeFileSync(notAFolder, 'x');
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('applies the defaults when nothing is set', () => {
    const env = validateEnvironment({ FILES_ROOT: folder });
    expect(env).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', CONTENT_DISPOSITION: 'inline', MAX_RANGES: 16, WORKERS: '1' });
  });

  it('reads typed values and treats empty strings as unset', () => {
    const env = validateEnvironment({
      FILES_ROOT: `${folder}, ${folder}`,
      PORT: '8080',
      HOST: '',
      CONTENT_DISPOSITION: 'attachment',
      MAX_RANGES: '4',
    });
    expect(env).toMatchObject({ PORT: 8080, HOST: '0.0.0.0', CONTENT_DISPOSITION: 'attachment', MAX_RANGES: 4 });
  });

  it('reads the digest settings', () => {
    expect(validateEnvironment({ FILES_ROOT: folder })).toMatchObject({
      DIGEST: 'on',
      DIGEST_PRECOMPUTE: 'false',
      DIGEST_CACHE_ENTRIES: 50_000,
    });
    const env = validateEnvironment({ FILES_ROOT: folder, DIGEST: 'off', DIGEST_PRECOMPUTE: 'true', DIGEST_CACHE_ENTRIES: '12' });
    expect(env).toMatchObject({ DIGEST: 'off', DIGEST_PRECOMPUTE: 'true', DIGEST_CACHE_ENTRIES: 12 });
  });

  it('resolves WORKERS: a count as given, auto as one per available core', () => {
    expect(workerCount(validateEnvironment({ FILES_ROOT: folder, WORKERS: '3' }).WORKERS, 8)).toBe(3);
    expect(workerCount(validateEnvironment({ FILES_ROOT: folder, WORKERS: 'auto' }).WORKERS, 2)).toBe(2);
    expect(workerCount(validateEnvironment({ FILES_ROOT: folder }).WORKERS, 2)).toBe(1);
  });

  it('parses FILES_ROOT once into the real paths of the folders, in order', () => {
    const link = join(folder, 'link-to-self');
    symlinkSync(folder, link);
    const real = realpathSync(folder);
    expect(validateEnvironment({ FILES_ROOT: ` ${link} ,${folder}` }).FILES_ROOT).toEqual([real, real]);
  });

  it('ignores variables it does not know', () => {
    expect(() => validateEnvironment({ FILES_ROOT: folder, PATH: '/bin', SOMETHING: 'x' })).not.toThrow();
  });

  test.each<[Record<string, string>, RegExp]>([
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be an integer between 0 and 65535 \(got "70000"\)$/],
    [{ PORT: '-1' }, /^Invalid configuration: PORT must be an integer/],
    [{ PORT: '3e3' }, /^Invalid configuration: PORT must be an integer/],
    [{ PORT: '80 ' }, /^Invalid configuration: PORT must be an integer/],
    [{ PORT: 'http' }, /^Invalid configuration: PORT must be an integer/],
    [
      { CONTENT_DISPOSITION: 'download' },
      /^Invalid configuration: CONTENT_DISPOSITION must be "inline" or "attachment" \(got "download"\)$/,
    ],
    [{ MAX_RANGES: '0' }, /^Invalid configuration: MAX_RANGES must be an integer between 1 and 1000/],
    [{ MAX_RANGES: '1.5' }, /^Invalid configuration: MAX_RANGES must be an integer/],
    [{ DIGEST: 'yes' }, /^Invalid configuration: DIGEST must be "on" or "off" \(got "yes"\)$/],
    [{ DIGEST_PRECOMPUTE: '1' }, /^Invalid configuration: DIGEST_PRECOMPUTE must be "true" or "false" \(got "1"\)$/],
    [{ DIGEST_CACHE_ENTRIES: '0' }, /^Invalid configuration: DIGEST_CACHE_ENTRIES must be an integer between 1 and 10000000/],
    [{ DIGEST_CACHE_ENTRIES: '10k' }, /^Invalid configuration: DIGEST_CACHE_ENTRIES must be an integer/],
    [{ WORKERS: '0' }, /^Invalid configuration: WORKERS must be "auto" or an integer between 1 and 64 \(got "0"\)$/],
    [{ WORKERS: '65' }, /^Invalid configuration: WORKERS must be "auto"/],
    [{ WORKERS: 'all' }, /^Invalid configuration: WORKERS must be "auto"/],
    [{ WORKERS: '2.5' }, /^Invalid configuration: WORKERS must be "auto"/],
    [{ FILES_ROOT: '/definitely/not/here' }, /^Invalid configuration: FILES_ROOT folder does not exist: \/definitely\/not\/here$/],
    [{ FILES_ROOT: ' , ' }, /^Invalid configuration: FILES_ROOT must name at least one folder$/],
    [
      { LOG_LEVEL: 'loud' },
      /^Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/,
    ],
    [
      { SHUTDOWN_GRACE_MS: '-5' },
      /^Invalid configuration: SHUTDOWN_GRACE_MS must be an integer number of milliseconds between 0 and 3600000/,
    ],
    // Never echoed: the value may hold a password.
    [{ DIGEST_STORE: 'localhost:6379' }, /^Invalid configuration: DIGEST_STORE must be a URL redis:\/\/host\[:port\]\[\/db\]$/],
    [{ DIGEST_STORE: 'http://cache:6379/0' }, /^Invalid configuration: DIGEST_STORE must be a URL redis/],
    [{ DIGEST_STORE: 'redis://cache:99999/0' }, /^Invalid configuration: DIGEST_STORE must be a URL redis/],
    [{ DIGEST_STORE: 'redis://cache:6379/zero' }, /^Invalid configuration: DIGEST_STORE must be a URL redis/],
    [
      { DIGEST_STORE: 'redis://:secret@cache:6379/x' },
      /^Invalid configuration: DIGEST_STORE must be a URL redis:\/\/host\[:port\]\[\/db\]$/,
    ],
    [{ DIGEST_STORE_TTL: '10' }, /^Invalid configuration: DIGEST_STORE_TTL must be an integer number of seconds between 60 and 31536000/],
    [{ TRUST_PROXY: 'yes' }, /^Invalid configuration: TRUST_PROXY must be "true" or "false" \(got "yes"\)$/],
    [{ SHUTDOWN_GRACE_MS: '10s' }, /^Invalid configuration: SHUTDOWN_GRACE_MS must be an integer number of milliseconds/],
  ])('%j → %s', (overrides, message) => {
    const attempt = () => validateEnvironment({ FILES_ROOT: folder, ...overrides });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(message);
  });

  it('rejects a root that is a file', () => {
    expect(() => validateEnvironment({ FILES_ROOT: notAFolder })).toThrow(/FILES_ROOT is not a directory/);
  });

  it('names every message on one line', () => {
    try {
      validateEnvironment({ FILES_ROOT: `${folder},/missing` });
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads the operations settings', () => {
    expect(validateEnvironment({ FILES_ROOT: folder })).toMatchObject({
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 30_000,
      TRUST_PROXY: 'false',
    });
    expect(validateEnvironment({ FILES_ROOT: folder, TRUST_PROXY: 'true' })).toMatchObject({ TRUST_PROXY: 'true' });
  });

  it('reads the shared digest store settings', () => {
    expect(validateEnvironment({ FILES_ROOT: folder })).toMatchObject({ DIGEST_STORE: '', DIGEST_STORE_TTL: 2_592_000 });
    for (const url of [
      'redis://cache',
      'redis://cache:6380',
      'redis://127.0.0.1:6379/2',
      'redis://:secret@cache:6379/0',
      'redis://[::1]:6379/0',
    ]) {
      expect(validateEnvironment({ FILES_ROOT: folder, DIGEST_STORE: url, DIGEST_STORE_TTL: '3600' })).toMatchObject({
        DIGEST_STORE: url,
        DIGEST_STORE_TTL: 3600,
      });
    }
    expect(validateEnvironment({ FILES_ROOT: folder, LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' })).toMatchObject({
      LOG_LEVEL: 'silent',
      SHUTDOWN_GRACE_MS: 0,
    });
  });

  describe('access settings', () => {
    const key = `k1:${randomBytes(32).toString('base64')}`;
    const tokenLine = `ci:${'ab'.repeat(32)}:write`;
    const keysFile = join(folder, 'signing-keys');
    writeFileSync(keysFile, `${key}\n`);

    it('defaults to public mode with no keys or tokens, a 7-day link limit and 30 failures a minute', () => {
      const env = validateEnvironment({ FILES_ROOT: folder });
      expect(accessSettingsOf(env)).toEqual({
        mode: 'public',
        signingKeys: [],
        tokens: [],
        linkMaxTtlSeconds: 604_800,
        publicBaseUrl: undefined,
        failureLimit: 30,
        failureWindowSeconds: 60,
      });
    });

    it('reads keys and tokens from the variables or from files, and the base URL without its trailing slash', () => {
      const env = validateEnvironment({
        FILES_ROOT: folder,
        ACCESS: 'private',
        SIGNING_KEYS_FILE: keysFile,
        API_TOKENS: tokenLine,
        LINK_MAX_TTL: '3600',
        PUBLIC_BASE_URL: 'https://files.example.com/downloads/',
        AUTH_FAILURE_LIMIT: '0',
        AUTH_FAILURE_WINDOW: '10',
      });
      const settings = accessSettingsOf(env);
      expect(settings).toMatchObject({
        mode: 'private',
        linkMaxTtlSeconds: 3600,
        publicBaseUrl: 'https://files.example.com/downloads',
        failureLimit: 0,
        failureWindowSeconds: 10,
      });
      expect(settings.signingKeys.map((signing) => signing.id)).toEqual(['k1']);
      expect(settings.tokens.map(({ name, role }) => ({ name, role }))).toEqual([{ name: 'ci', role: 'write' }]);
    });

    test.each<[Record<string, string>, RegExp]>([
      [{ ACCESS: 'secret' }, /^Invalid configuration: ACCESS must be "public" or "private" \(got "secret"\)$/],
      [{ ACCESS: 'private' }, /^Invalid configuration: ACCESS "private" needs SIGNING_KEYS or API_TOKENS/],
      [{ SIGNING_KEYS: `k1:${randomBytes(16).toString('base64')}` }, /^Invalid configuration: SIGNING_KEYS key k1: the secret is 16 bytes/],
      [{ SIGNING_KEYS: `${key},${key}` }, /^Invalid configuration: SIGNING_KEYS the key id k1 is listed twice$/],
      [
        { SIGNING_KEYS: key, SIGNING_KEYS_FILE: keysFile },
        /^Invalid configuration: SIGNING_KEYS and SIGNING_KEYS_FILE are both set; use one$/,
      ],
      [{ SIGNING_KEYS_FILE: join(folder, 'missing') }, /^Invalid configuration: SIGNING_KEYS_FILE cannot be read \(ENOENT\): /],
      [{ API_TOKENS: 'ci:plaintext-token' }, /^Invalid configuration: API_TOKENS entry 1 \(ci\) must hold the 64-digit hex SHA-256/],
      [{ API_TOKENS: tokenLine, API_TOKENS_FILE: keysFile }, /^Invalid configuration: API_TOKENS and API_TOKENS_FILE are both set/],
      [{ API_TOKENS_FILE: keysFile }, /^Invalid configuration: API_TOKENS_FILE entry 1 \(k1\) must hold the 64-digit hex SHA-256/],
      [{ LINK_MAX_TTL: '0' }, /^Invalid configuration: LINK_MAX_TTL must be a number of seconds between 1 and 31536000/],
      [{ LINK_MAX_TTL: '7d' }, /^Invalid configuration: LINK_MAX_TTL must be a number of seconds/],
      [{ PUBLIC_BASE_URL: 'files.example.com' }, /^Invalid configuration: PUBLIC_BASE_URL must be an absolute http\(s\) URL/],
      [{ PUBLIC_BASE_URL: 'ftp://files.example.com' }, /^Invalid configuration: PUBLIC_BASE_URL must be an http\(s\) URL without query/],
      [
        { PUBLIC_BASE_URL: 'https://files.example.com/?x=1' },
        /^Invalid configuration: PUBLIC_BASE_URL must be an http\(s\) URL without query/,
      ],
      [{ AUTH_FAILURE_LIMIT: '-1' }, /^Invalid configuration: AUTH_FAILURE_LIMIT must be an integer between 0 and 1000000/],
      [{ AUTH_FAILURE_WINDOW: '0' }, /^Invalid configuration: AUTH_FAILURE_WINDOW must be a number of seconds between 1 and 86400/],
    ])('%j → %s', (overrides, message) => {
      const attempt = () => validateEnvironment({ FILES_ROOT: folder, ...overrides });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(message);
    });

    it('accepts private mode with only tokens, or only keys', () => {
      expect(() => validateEnvironment({ FILES_ROOT: folder, ACCESS: 'private', API_TOKENS: tokenLine })).not.toThrow();
      expect(() => validateEnvironment({ FILES_ROOT: folder, ACCESS: 'private', SIGNING_KEYS: key })).not.toThrow();
    });

    it('never shows a secret in a message', () => {
      const short = `k1:${randomBytes(20).toString('base64')}`;
      expect(() => validateEnvironment({ FILES_ROOT: folder, SIGNING_KEYS: short })).toThrow(ConfigurationError);
      try {
        validateEnvironment({ FILES_ROOT: folder, SIGNING_KEYS: short });
      } catch (error) {
        expect((error as Error).message).not.toContain(short.slice(3));
      }
    });
  });
});
