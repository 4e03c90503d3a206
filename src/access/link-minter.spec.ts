import { randomBytes } from 'node:crypto';
import { FileNotFoundError } from '../files/errors.js';
import type { FileStorageService } from '../files/file-storage.service.js';
import type { OpenFile } from '../files/open-file.js';
import { AccessConfig } from './access-config.js';
import { parseFileQuery } from './file-query.js';
import { LinkMinter, LinkRequestError, parseTtl } from './link-minter.js';
import { verifyLink } from './signed-link.js';
import { parseSigningKeys } from './signing-keys.js';

const NOW = 1_800_000_000_500;
const keys = parseSigningKeys(`new:${randomBytes(32).toString('base64')},old:${randomBytes(32).toString('base64')}`);
const config = (overrides: Partial<AccessConfig> = {}) =>
  new AccessConfig({
    mode: 'private',
    signingKeys: keys,
    tokens: [],
    linkMaxTtlSeconds: 7200,
    publicBaseUrl: undefined,
    failureLimit: 30,
    failureWindowSeconds: 60,
    ...overrides,
  });

/** Storage with one file, /docs/a b.pdf, of 12 bytes at mtime 0x18e…; records what was opened and closed. */
function storage() {
  const opened: string[][] = [];
  let closed = 0;
  const service = {
    open(segments: readonly string[]): OpenFile {
      opened.push([...segments]);
      if (segments.join('/') !== 'docs/a b.pdf') throw new FileNotFoundError();
      const descriptor = { close: () => void closed++ };
      return { descriptor, name: 'a b.pdf', version: { size: 12, mtimeNs: 0x18e0000000000001n } } as unknown as OpenFile;
    },
  } as unknown as FileStorageService;
  return { service, opened, closed: () => closed };
}

describe('LinkMinter', () => {
  it('signs with the first key a pinned link that the verifier accepts, closing the file it looked at', () => {
    const files = storage();
    const minted = new LinkMinter(config(), files.service).mint({ path: '/docs/a b.pdf', ttl: 60 }, NOW);
    expect(minted).toEqual({
      url: expect.stringMatching(/^\/docs\/a%20b\.pdf\?exp=1800000061&kid=new&v=c-18e0000000000001&sig=[\w-]{43}$/) as string,
      expiresAt: '2027-01-15T08:01:01.000Z',
      version: 'c-18e0000000000001',
    });
    expect(files.opened).toEqual([['docs', 'a b.pdf']]);
    expect(files.closed()).toBe(1);
    const query = parseFileQuery(minted.url);
    if (query.kind !== 'signed') throw new Error('not a signed link');
    expect(verifyLink(query.link, '/docs/a b.pdf', keys, NOW)).toMatchObject({ ok: true, claims: { version: 'c-18e0000000000001' } });
  });

  it('unpinned still reports the version; download and filename are signed; a base URL is prepended', () => {
    const minted = new LinkMinter(config({ publicBaseUrl: 'https://x.example/dl' }), storage().service).mint(
      { path: 'docs/a b.pdf', pin: false, download: true, filename: 'Ä.pdf' },
      NOW,
    );
    expect(minted.url).toMatch(/^https:\/\/x\.example\/dl\/docs\/a%20b\.pdf\?exp=1800003601&kid=new&dl=1&filename=%C3%84\.pdf&sig=/);
    expect(minted.version).toBe('c-18e0000000000001');
  });

  it('scope links do not open anything and have no version', () => {
    const files = storage();
    const minted = new LinkMinter(config(), files.service).mint({ path: '/videos/2024', scope: true }, NOW);
    expect(minted.url).toMatch(/^\/videos\/2024\/\?exp=\d+&kid=new&scope=%2Fvideos%2F2024%2F&sig=/);
    expect(minted.version).toBeNull();
    expect(files.opened).toEqual([]);
  });

  it('defaults to an hour, or LINK_MAX_TTL when shorter', () => {
    expect(new LinkMinter(config(), storage().service).mint({ path: '/docs/a b.pdf' }, NOW).expiresAt).toBe('2027-01-15T09:00:01.000Z');
    expect(new LinkMinter(config({ linkMaxTtlSeconds: 60 }), storage().service).mint({ path: '/docs/a b.pdf' }, NOW).expiresAt).toBe(
      '2027-01-15T08:01:01.000Z',
    );
  });

  test.each([
    [{ path: '/docs/a b.pdf', ttl: 7201 }, 'ttl must be at most LINK_MAX_TTL (7200 seconds)'],
    [{ path: '/docs/a b.pdf', ttl: 0 }, 'ttl must be a whole number of seconds, at least 1'],
    [{ path: '/docs/a b.pdf', filename: 'a\nb' }, 'filename must be a plain file name'],
    [{ path: '/docs/' }, 'path must be a file path'],
    [{ path: '/docs/./a b.pdf' }, 'path must be a file path'],
    [{ path: '/a/../b', scope: true }, 'path must be a folder path'],
    [{ path: '/a/', scope: true, pin: true }, 'pin cannot be used with scope'],
  ])('%j → 400 %s', (request, message) => {
    const attempt = () => new LinkMinter(config(), storage().service).mint(request, NOW);
    expect(attempt).toThrow(LinkRequestError);
    expect(attempt).toThrow(message);
  });

  it('a missing file is FileNotFoundError (404)', () => {
    expect(() => new LinkMinter(config(), storage().service).mint({ path: '/docs/missing.pdf' }, NOW)).toThrow(FileNotFoundError);
  });
});

describe('parseTtl', () => {
  test.each([
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604_800],
    ['0', undefined],
    ['1w', undefined],
    ['-1h', undefined],
    ['1.5h', undefined],
    ['h', undefined],
    ['', undefined],
  ])('%j → %s', (text, seconds) => expect(parseTtl(text)).toBe(seconds));
});
