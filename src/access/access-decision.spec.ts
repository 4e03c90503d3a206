import { randomBytes } from 'node:crypto';
import { type AccessDecision, type AccessPolicy, decideAccess, presentsCredentials } from './access-decision.js';
import { encodePath, linkQuery, type LinkClaims } from './signed-link.js';
import { parseSigningKeys } from './signing-keys.js';
import { generateToken, hashToken, parseTokenEntries } from './tokens.js';

const NOW = 1_800_000_000_000;
const [key] = parseSigningKeys(`k1:${randomBytes(32).toString('base64')}`);
const token = generateToken();
const tokens = parseTokenEntries(`ci:${hashToken(token)}`);
const policy = (mode: 'public' | 'private'): AccessPolicy => ({ mode, signingKeys: [key], tokens });

function link(path: string, claims: Partial<LinkClaims> = {}): string {
  return `${encodePath(path)}?${linkQuery(key, { resource: path, scope: false, expires: NOW / 1000 + 60, download: false, ...claims })}`;
}

const decide = (mode: 'public' | 'private', target: string, authorization?: string): AccessDecision =>
  decideAccess({ target, authorization }, policy(mode), NOW);

describe('decideAccess, in the order of the issue', () => {
  test.each<[string, 'public' | 'private', string, string | undefined, AccessDecision]>([
    // 1. public mode, no credentials: as before, with the unsigned v and dl
    [
      'public, plain',
      'public',
      '/a.txt',
      undefined,
      { kind: 'grant', grant: { auth: 'public', authenticated: false, mayList: true, pin: undefined, download: false } },
    ],
    [
      'public, ?v=',
      'public',
      '/a.txt?v=5-1',
      undefined,
      { kind: 'grant', grant: { auth: 'public', authenticated: false, mayList: true, pin: '5-1', download: false } },
    ],
    [
      'public, ?dl=1',
      'public',
      '/a.txt?dl=1',
      undefined,
      { kind: 'grant', grant: { auth: 'public', authenticated: false, mayList: true, pin: undefined, download: true } },
    ],
    [
      'public, Basic auth',
      'public',
      '/a.txt',
      'Basic eDp5',
      { kind: 'grant', grant: { auth: 'public', authenticated: false, mayList: true, pin: undefined, download: false } },
    ],
    [
      'public, unsigned filename',
      'public',
      '/a.txt?filename=x.bat',
      undefined,
      { kind: 'bad-request', message: 'filename is only accepted in a signed link' },
    ],
    // 2. credentials presented: valid ones go on, invalid ones are 403
    [
      'public, token',
      'public',
      '/a.txt',
      `Bearer ${token}`,
      { kind: 'grant', grant: { auth: 'token:ci', authenticated: true, mayList: true, pin: undefined, download: false } },
    ],
    [
      'private, token',
      'private',
      '/a.txt?v=5-1&dl=1',
      `Bearer ${token}`,
      { kind: 'grant', grant: { auth: 'token:ci', authenticated: true, mayList: true, pin: '5-1', download: true } },
    ],
    [
      'private, token, unsigned filename',
      'private',
      '/a.txt?filename=x',
      `Bearer ${token}`,
      { kind: 'bad-request', message: 'filename is only accepted in a signed link' },
    ],
    ['private, bad token', 'private', '/a.txt', 'Bearer nope', { kind: 'denied', reason: 'bad-token' }],
    ['private, malformed bearer', 'private', '/a.txt', 'Bearer', { kind: 'denied', reason: 'bad-token' }],
    ['public, bad token', 'public', '/a.txt', 'Bearer nope', { kind: 'denied', reason: 'bad-token' }],
    [
      'private, link',
      'private',
      link('/a b.txt', { version: '5-1', download: true, filename: 'n.txt' }),
      undefined,
      { kind: 'grant', grant: { auth: 'link:k1', authenticated: true, mayList: false, pin: '5-1', download: true, filename: 'n.txt' } },
    ],
    [
      'public, link: listings are public anyway',
      'public',
      link('/a.txt'),
      undefined,
      {
        kind: 'grant',
        grant: { auth: 'link:k1', authenticated: true, mayList: true, pin: undefined, download: false, filename: undefined },
      },
    ],
    ['private, expired link', 'private', link('/a.txt', { expires: NOW / 1000 }), undefined, { kind: 'denied', reason: 'expired' }],
    [
      'private, link out of scope',
      'private',
      `/b/x?${link('/a/', { scope: true }).split('?')[1]}`,
      undefined,
      { kind: 'denied', reason: 'out-of-scope' },
    ],
    ['public, malformed link', 'public', '/a.txt?exp=1&kid=k1', undefined, { kind: 'denied', reason: 'bad-signature' }],
    [
      'private, link to an invalid path',
      'private',
      `/a/../b?${link('/b').split('?')[1]}`,
      undefined,
      { kind: 'denied', reason: 'bad-signature' },
    ],
    [
      'token and link: the token names the grant',
      'private',
      link('/a.txt', { version: '5-1' }),
      `Bearer ${token}`,
      {
        kind: 'grant',
        grant: { auth: 'token:ci', authenticated: true, mayList: true, pin: '5-1', download: false, filename: undefined },
      },
    ],
    ['valid token, bad link', 'private', `${link('/a.txt')}&x=1`, `Bearer ${token}`, { kind: 'denied', reason: 'bad-signature' }],
    ['valid link, bad token', 'private', link('/a.txt'), 'Bearer nope', { kind: 'denied', reason: 'bad-token' }],
    // 3. private mode, no credentials, whatever else the request says
    ['private, nothing', 'private', '/a.txt', undefined, { kind: 'unauthenticated' }],
    ['private, unsigned filename', 'private', '/a.txt?filename=x', undefined, { kind: 'unauthenticated' }],
    ['private, invalid path', 'private', '/../etc/passwd', undefined, { kind: 'unauthenticated' }],
    ['private, Basic auth', 'private', '/a.txt', 'Basic eDp5', { kind: 'unauthenticated' }],
  ])('%s', (_what, mode, target, authorization, expected) => {
    expect(decide(mode, target, authorization)).toEqual(expected);
  });
});

describe('presentsCredentials', () => {
  test.each<[string, string | undefined, boolean]>([
    ['/a.txt', undefined, false],
    ['/a.txt?v=1&dl=1', undefined, false],
    ['/a.txt?filename=x', undefined, false],
    ['/a.txt', 'Basic eDp5', false],
    ['/a.txt', 'Bearer x', true],
    ['/a.txt', 'Bearer', true],
    ['/a.txt?sig=x', undefined, true],
    ['/a.txt?scope=%2F', undefined, true],
  ])('%s %s → %s', (target, authorization, expected) => {
    expect(presentsCredentials({ target, authorization })).toBe(expected);
  });
});
