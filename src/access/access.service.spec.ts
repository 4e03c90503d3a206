import type { Request } from 'express';
import { MetricsService } from '../operations/metrics.service.js';
import { OpenFileHandles } from '../operations/open-file-handles.js';
import { AccessConfig } from './access-config.js';
import { AccessDeniedError, TooManyFailuresError, UnauthenticatedError } from './access-errors.js';
import { grantOf } from './access-grant.js';
import { accessLogFields } from './access-log.js';
import { AccessService } from './access.service.js';
import { generateToken, hashToken, parseTokenEntries } from './tokens.js';

const reader = generateToken();
const writer = generateToken();

function service(failureLimit = 2, mode: 'public' | 'private' = 'private'): AccessService {
  const config = new AccessConfig({
    mode,
    signingKeys: [],
    tokens: parseTokenEntries(`r:${hashToken(reader)},w:${hashToken(writer)}:write`),
    linkMaxTtlSeconds: 3600,
    publicBaseUrl: undefined,
    failureLimit,
    failureWindowSeconds: 60,
  });
  return new AccessService(config, new MetricsService(new OpenFileHandles()));
}

/** The parts of an Express request AccessService reads. */
function request(authorization?: string, ip = '10.0.0.1', originalUrl = '/.uploads/x'): Request {
  return { headers: { authorization }, ip, originalUrl, socket: {} } as unknown as Request;
}

describe('AccessService.authorizeFileRequest in public mode', () => {
  const access = service(2, 'public');

  it('grants a plain request (no credentials, no query) the public grant, as the full decision would', () => {
    const req = request(undefined, '10.0.0.1', '/docs/a.txt');
    expect(access.authorizeFileRequest(req)).toEqual({ auth: 'public', authenticated: false, mayList: true, download: false });
    expect(grantOf(req)).toEqual({ auth: 'public', authenticated: false, mayList: true, download: false });
    expect(accessLogFields(req)).toEqual({ auth: 'public', authDenied: null });
  });

  it('still reads the query and the Authorization header when there are any', () => {
    expect(access.authorizeFileRequest(request(undefined, '10.0.0.1', '/a.txt?dl=1'))).toMatchObject({ auth: 'public', download: true });
    expect(() => access.authorizeFileRequest(request(undefined, '10.0.0.1', '/a.txt?filename=x'))).toThrow('filename');
    expect(access.authorizeFileRequest(request(`Bearer ${reader}`, '10.0.0.1', '/a.txt'))).toMatchObject({
      auth: 'token:r',
      authenticated: true,
    });
    expect(() => access.authorizeFileRequest(request('Bearer nope', '10.0.0.3', '/a.txt'))).toThrow(AccessDeniedError);
    expect(() => access.authorizeFileRequest(request('', '10.0.0.4', '/a.txt'))).not.toThrow(); // an empty header is no credential
  });
});

describe('AccessService.requireToken (for routes of other modules)', () => {
  it('returns the holder and records the grant for the access log', () => {
    const req = request(`Bearer ${writer}`);
    expect(service().requireToken(req, 'write')).toEqual({ name: 'w', role: 'write' });
    expect(grantOf(req)).toMatchObject({ auth: 'token:w', authenticated: true });
    expect(accessLogFields(req)).toEqual({ auth: 'token:w', authDenied: null });
  });

  it('lets a write token read, refuses a read token where write is needed (403 bad-token)', () => {
    const access = service();
    expect(access.requireToken(request(`Bearer ${writer}`), 'read')).toEqual({ name: 'w', role: 'write' });
    const req = request(`Bearer ${reader}`);
    expect(() => access.requireToken(req, 'write')).toThrow(new AccessDeniedError('bad-token', 'the token may not write'));
    expect(accessLogFields(req)).toEqual({ auth: 'none', authDenied: 'bad-token' });
  });

  it('401 without a token, 403 with a bad one, then 429 once the address used up its failures', () => {
    const access = service(2);
    expect(() => access.requireToken(request(), 'read', 0)).toThrow(UnauthenticatedError);
    expect(() => access.requireToken(request('Bearer a'), 'read', 0)).toThrow(AccessDeniedError);
    expect(() => access.requireToken(request('Bearer b'), 'read', 1)).toThrow(AccessDeniedError);
    const blocked = request(`Bearer ${reader}`);
    expect(() => access.requireToken(blocked, 'read', 2)).toThrow(TooManyFailuresError);
    expect(accessLogFields(blocked)).toEqual({ auth: 'none', authDenied: 'rate-limited' });
    expect(access.requireToken(request(`Bearer ${reader}`, '10.0.0.2'), 'read', 2)).toEqual({ name: 'r', role: 'read' });
    expect(access.requireToken(request(`Bearer ${reader}`), 'read', 60_000)).toEqual({ name: 'r', role: 'read' });
  });

  it('does not count a known token with too little role towards the limit', () => {
    const access = service(1);
    for (let i = 0; i < 3; i++) expect(() => access.requireToken(request(`Bearer ${reader}`), 'write', i)).toThrow(AccessDeniedError);
    expect(access.requireToken(request(`Bearer ${reader}`), 'read', 3)).toEqual({ name: 'r', role: 'read' });
  });
});
