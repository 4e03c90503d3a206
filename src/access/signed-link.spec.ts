import { randomBytes } from 'node:crypto';
import { decodedPath } from './access-decision.js';
import { parseFileQuery } from './file-query.js';
import { canonicalString, encodePath, linkQuery, type LinkClaims, type PresentedLink, signature, verifyLink } from './signed-link.js';
import { parseSigningKeys } from './signing-keys.js';

/** The README's test vector: key k1 = the bytes 0x00..0x1f, computed with openssl (see README). */
const VECTOR_KEYS = parseSigningKeys('k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
const EXP = 1_767_225_600; // 2026-01-01T00:00:00Z
const BEFORE = (EXP - 1) * 1000;

const [key, oldKey] = parseSigningKeys(`new:${randomBytes(32).toString('base64')},old:${randomBytes(32).toString('base64url')}`);
const keys = [key, oldKey];

/** A request target through the same parsers the guard uses: decoded path + query. */
function check(target: string, withKeys = keys, nowMs = BEFORE): ReturnType<typeof verifyLink> | string {
  const path = decodedPath(target);
  if (path === undefined) return 'invalid path';
  const query = parseFileQuery(target);
  if (query.kind !== 'signed') return query.kind;
  return verifyLink(query.link, path, withKeys, nowMs);
}

function link(path: string, claims: Partial<LinkClaims> = {}, signingKey = key): string {
  const full: LinkClaims = { resource: path, scope: false, expires: EXP, download: false, ...claims };
  return `${encodePath(path)}?${linkQuery(signingKey, full)}`;
}

const reasonOf = (result: ReturnType<typeof check>) => (typeof result === 'string' ? result : result.ok ? 'ok' : result.reason);

describe('the canonical string and its test vector', () => {
  it('is six lines: prefix, path, exp, v, dl, filename', () => {
    expect(canonicalString({ resource: '/a b.txt', scope: false, expires: 5, version: 'x', download: true, filename: 'n.txt' })).toBe(
      'rds-link-v1\n/a b.txt\n5\nx\n1\nn.txt',
    );
    expect(canonicalString({ resource: '/videos/', scope: true, expires: 5, download: false })).toBe('rds-link-v1\n/videos/\n5\n\n\n');
  });

  test.each<[LinkClaims, string]>([
    [{ resource: '/docs/report 2024.pdf', scope: false, expires: EXP, download: false }, 'wv99LTgP1hEZPXdgdOmHFcnfdvHJU-smqjLt4cyNm4E'],
    [
      {
        resource: '/docs/report 2024.pdf',
        scope: false,
        expires: EXP,
        version: '5c-18eac6dfadc0bb67',
        download: true,
        filename: 'Rapport annuel.pdf',
      },
      'NKWGw97sNTUoWFATr_5l1WKY0hWLL-16C4mwR5jKS1s',
    ],
    [{ resource: '/videos/2024/', scope: true, expires: EXP, download: false }, 'hKWvxUpsb07TZCWHY3jfgPC-UafPH5x_h8oq517ZUSU'],
  ])('%j signs to %s (computed independently with openssl dgst -mac HMAC)', (claims, sig) => {
    expect(signature(VECTOR_KEYS[0], claims)).toBe(sig);
  });

  it('builds the vector link the README shows, and it verifies', () => {
    const query = linkQuery(VECTOR_KEYS[0], { resource: '/docs/report 2024.pdf', scope: false, expires: EXP, download: false });
    expect(query).toBe('exp=1767225600&kid=k1&sig=wv99LTgP1hEZPXdgdOmHFcnfdvHJU-smqjLt4cyNm4E');
    expect(reasonOf(check(`/docs/report%202024.pdf?${query}`, VECTOR_KEYS))).toBe('ok');
  });
});

describe('verifyLink', () => {
  const base = { version: '5c-18eac6dfadc0bb67', download: true, filename: 'Rapport annuel.pdf' };
  const good = link('/docs/report 2024.pdf', base);

  it('accepts a link for its own path and reports the claims and the key id', () => {
    const result = check(good);
    expect(result).toEqual({
      ok: true,
      kid: 'new',
      claims: { resource: '/docs/report 2024.pdf', scope: false, expires: EXP, ...base },
    });
  });

  it('accepts the parameters in any order', () => {
    const [path, query] = good.split('?');
    const shuffled = query.split('&').reverse().join('&');
    expect(reasonOf(check(`${path}?${shuffled}`))).toBe('ok');
  });

  // Each parameter tampered: the signature no longer matches.
  test.each<[string, (query: URLSearchParams) => void]>([
    ['exp + 1', (q) => q.set('exp', String(EXP + 1))],
    ['exp - 1', (q) => q.set('exp', String(EXP - 1))],
    ['kid of the other valid key', (q) => q.set('kid', 'old')],
    ['kid unknown', (q) => q.set('kid', 'nobody')],
    ['v changed', (q) => q.set('v', '5c-18eac6dfadc0bb68')],
    ['v removed', (q) => q.delete('v')],
    ['dl removed', (q) => q.delete('dl')],
    ['filename changed', (q) => q.set('filename', 'Rapport annuel.exe')],
    ['filename removed', (q) => q.delete('filename')],
    ['scope added', (q) => q.set('scope', '/docs/')],
  ])('%s → bad-signature', (_what, tamper) => {
    const [path, query] = good.split('?');
    const params = new URLSearchParams(query);
    tamper(params);
    expect(reasonOf(check(`${path}?${params.toString()}`))).toBe('bad-signature');
  });

  it('refuses parameters added to a link signed without them', () => {
    const bare = link('/docs/a.pdf');
    for (const extra of ['v=5c-1', 'dl=1', 'filename=x.pdf', 'scope=%2Fdocs%2F'])
      expect(reasonOf(check(`${bare}&${extra}`))).toBe('bad-signature');
  });

  it('refuses the link for another path', () => {
    const [, query] = good.split('?');
    for (const path of [
      '/docs/report%202025.pdf',
      '/docs/report+2024.pdf',
      '/docs/Report%202024.pdf',
      '/report%202024.pdf',
      '/docs/x/report%202024.pdf',
    ]) {
      expect(reasonOf(check(`${path}?${query}`))).toBe('bad-signature');
    }
  });

  it('refuses every single-character change of sig', () => {
    const [path, query] = good.split('?');
    const sig = new URLSearchParams(query).get('sig') as string;
    expect(sig).toHaveLength(43);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < sig.length; i++) {
      // The neighbour in the alphabet: for the last character this flips one of the two spare
      // bits, which decodes to the same bytes; compared as text, it still fails.
      const replacement = alphabet[(alphabet.indexOf(sig[i]) + 1) % alphabet.length];
      const tampered = sig.slice(0, i) + replacement + sig.slice(i + 1);
      expect(reasonOf(check(`${path}?${query.replace(sig, tampered)}`))).toBe('bad-signature');
    }
  });

  it('expires at exp: valid one second and one millisecond before, refused at exp and one second after', () => {
    expect(reasonOf(check(good, keys, (EXP - 1) * 1000))).toBe('ok');
    expect(reasonOf(check(good, keys, EXP * 1000 - 1))).toBe('ok');
    expect(reasonOf(check(good, keys, EXP * 1000))).toBe('expired');
    expect(reasonOf(check(good, keys, (EXP + 1) * 1000))).toBe('expired');
  });

  it('says expired only for an authentic link: a tampered expired link is bad-signature', () => {
    const [path, query] = good.split('?');
    expect(reasonOf(check(`${path}?${query.replace(`exp=${EXP}`, `exp=${EXP - 10}`)}`, keys, (EXP + 1) * 1000))).toBe('bad-signature');
  });

  it('rotates keys: the first key signs, every listed key verifies, a dropped key verifies nothing', () => {
    const byOld = link('/docs/a.pdf', {}, oldKey);
    expect(reasonOf(check(byOld))).toBe('ok');
    expect(check(byOld)).toMatchObject({ kid: 'old' });
    expect(reasonOf(check(byOld, [key]))).toBe('bad-signature');
    expect(reasonOf(check(link('/docs/a.pdf'), [oldKey]))).toBe('bad-signature');
    // Same key id, new secret (a key replaced in place): old links stop working.
    const [replaced] = parseSigningKeys(`new:${randomBytes(32).toString('base64')}`);
    expect(reasonOf(check(link('/docs/a.pdf'), [replaced]))).toBe('bad-signature');
  });

  it('verifies every percent-encoding of the same path, since it signs the decoded path', () => {
    const [, query] = link('/docs/naïve café.txt').split('?');
    for (const path of [
      '/docs/na%C3%AFve%20caf%C3%A9.txt',
      '/docs/na%c3%afve%20caf%c3%a9.txt',
      '/%64ocs/na%C3%AFve%20caf%C3%A9.txt',
      '/docs/na%C3%AFve%20caf%C3%A9%2Etxt',
      '/docs/naïve%20café.txt',
    ]) {
      expect(reasonOf(check(`${path}?${query}`))).toBe('ok');
    }
    // A doubly encoded name is another name.
    expect(reasonOf(check(`/docs/na%25C3%25AFve%2520caf%25C3%25A9.txt?${query}`))).toBe('bad-signature');
  });

  it('verifies percent-encoding variants of the query values and names', () => {
    const [path, query] = link('/a.pdf', { filename: 'My file (1).pdf' }).split('?');
    expect(query).toContain('filename=My%20file%20%281%29.pdf');
    for (const variant of [
      query.replace('My%20file%20', 'My+file+'),
      query.replace('filename=', '%66ilename='),
      query.replace('%281%29', '(1)'),
    ]) {
      expect(reasonOf(check(`${path}?${variant}`))).toBe('ok');
    }
  });

  it('refuses a path with a control character (it would shift the canonical lines)', () => {
    const presented: PresentedLink = { kid: 'new', sig: 'x'.repeat(43), expires: EXP, download: false };
    const claims: LinkClaims = { resource: '/a\n1', scope: false, expires: EXP, download: false };
    expect(verifyLink({ ...presented, sig: signature(key, claims) }, '/a\n1', keys, BEFORE)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  describe('scope', () => {
    const scoped = link('/videos/2024/', { scope: true });
    const query = scoped.split('?')[1];

    test.each([
      ['/videos/2024/a.ts', 'ok'],
      ['/videos/2024/hd/b.ts', 'ok'],
      ['/videos/2024/%61.ts', 'ok'],
      ['/videos/2024-old/x', 'out-of-scope'],
      ['/videos/2024', 'out-of-scope'],
      ['/videos/2023/a.ts', 'out-of-scope'],
      ['/videos/a.ts', 'out-of-scope'],
      ['/other/videos/2024/a.ts', 'out-of-scope'],
      ['/videos/2024/../secret.txt', 'invalid path'],
      ['/videos/2024/%2e%2e/secret.txt', 'invalid path'],
      ['/videos/2024%2Fa.ts', 'invalid path'],
    ])('%s → %s', (path, expected) => {
      expect(reasonOf(check(`${path}?${query}`))).toBe(expected);
    });

    it('is signed: a different scope is a bad signature, not a wider scope', () => {
      expect(reasonOf(check(`/videos/a.ts?${query.replace('scope=%2Fvideos%2F2024%2F', 'scope=%2Fvideos%2F')}`))).toBe('bad-signature');
      // Without scope the link is for the path /videos/2024/... itself (and the query now has an empty piece).
      expect(reasonOf(check(`/videos/2024/a.ts?${query.replace('&scope=%2Fvideos%2F2024%2F', '')}`))).toBe('bad-signature');
      expect(reasonOf(check(`/videos/2024/a.ts?${query.replace('scope=%2Fvideos%2F2024%2F', '')}`))).toBe('bad-link');
    });

    it('the root scope opens everything; out of scope is said only after the signature holds', () => {
      expect(reasonOf(check(`/anything/at/all.txt?${link('/', { scope: true }).split('?')[1]}`))).toBe('ok');
      expect(reasonOf(check(`/videos/2024-old/x?${query}`, keys, (EXP + 5) * 1000))).toBe('expired');
    });
  });
});
