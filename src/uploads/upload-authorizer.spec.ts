import { hashToken } from '../access/tokens.js';
import { parseTokenEntries } from '../access/tokens.js';
import { WriteTokenAuthorizer, type UploadAccess } from './upload-authorizer.js';

describe('WriteTokenAuthorizer', () => {
  const authorizer = new WriteTokenAuthorizer(
    parseTokenEntries(`uploader:${hashToken('w-token')}:write,reader:${hashToken('r-token')}:read`),
  );

  test.each<[string | undefined, UploadAccess]>([
    ['Bearer w-token', 'allowed'],
    ['bearer w-token', 'allowed'],
    ['Bearer r-token', 403],
    [undefined, 401],
    ['', 401],
    ['Basic dXNlcjpwYXNz', 401],
    ['Bearer', 403], // a bearer credential, and a bad one
    ['Bearer unknown', 403],
    ['Bearer w-token extra', 403],
    [`Bearer ${' '.repeat(100_000)}x`, 403],
  ])('%j → %s', (header, expected) => {
    expect(authorizer.authorize(header)).toBe(expected);
  });
});
