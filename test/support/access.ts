import { randomBytes } from 'node:crypto';
import { parseSigningKeys, type SigningKey } from '../../src/access/signing-keys.js';
import { encodePath, linkQuery, type LinkClaims } from '../../src/access/signed-link.js';
import { generateToken, hashToken } from '../../src/access/tokens.js';

/** A fresh signing key and API token, with the settings that make a service accept them. */
export class TestCredentials {
  readonly secret = randomBytes(32).toString('base64');
  readonly key: SigningKey = parseSigningKeys(`k1:${this.secret}`)[0];
  readonly readToken = generateToken();
  readonly writeToken = generateToken();

  /** Every access setting spelled out, so a test says the whole access configuration it runs with. */
  settings(mode: 'public' | 'private' = 'private'): Record<string, string> {
    return {
      ACCESS: mode,
      SIGNING_KEYS: `k1:${this.secret}`,
      SIGNING_KEYS_FILE: '',
      API_TOKENS: `reader:${hashToken(this.readToken)},writer:${hashToken(this.writeToken)}:write`,
      API_TOKENS_FILE: '',
      PUBLIC_BASE_URL: '',
    };
  }

  /** A signed link (path + query) to `path`, valid `ttlSeconds` from now unless `expires` is given; `resource` is the scope of a scope link. */
  link(path: string, claims: Partial<LinkClaims> & { ttlSeconds?: number } = {}, key = this.key): string {
    const { ttlSeconds = 600, ...rest } = claims;
    const full: LinkClaims = { resource: path, scope: false, expires: Math.ceil(Date.now() / 1000) + ttlSeconds, download: false, ...rest };
    return `${encodePath(path)}?${linkQuery(key, full)}`;
  }

  bearer(token = this.readToken): Record<string, string> {
    return { Authorization: `Bearer ${token}` };
  }
}

/** The link with the first character of its signature changed (always to another one, so the signature is always wrong). */
export function tamperSignature(link: string): string {
  return link.replace(/sig=(.)/, (_match, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
}
