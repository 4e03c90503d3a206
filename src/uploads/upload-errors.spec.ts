import { ERRORS } from '@tus/utils';
import { errorBody, mapTusError, UploadFailure } from './upload-errors.js';

describe('mapTusError', () => {
  test.each<[unknown, number, string]>([
    [ERRORS.INVALID_OFFSET, 409, 'offset-mismatch'],
    [ERRORS.FILE_NOT_FOUND, 404, 'unknown-upload'],
    [ERRORS.FILE_NO_LONGER_EXISTS, 410, 'expired'],
    [ERRORS.ERR_MAX_SIZE_EXCEEDED, 413, 'too-large'],
    [ERRORS.ERR_SIZE_EXCEEDED, 413, 'beyond-upload-length'],
    // tus answers these with 403 and 500; we say what happened.
    [ERRORS.MISSING_OFFSET, 400, 'missing-offset'],
    [ERRORS.INVALID_CONTENT_TYPE, 415, 'wrong-content-type'],
    [ERRORS.ERR_LOCK_TIMEOUT, 503, 'locked'],
    [ERRORS.UNSUPPORTED_CREATION_DEFER_LENGTH_EXTENSION, 501, 'unsupported-extension'],
    [Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 507, 'no-space'],
    [new UploadFailure(460, 'digest-mismatch', 'sha-256 differs'), 460, 'digest-mismatch'],
  ])('%j → %d %s', (error, status, reason) => {
    expect(mapTusError(error)).toMatchObject({ status, reason });
  });

  it('leaves unexpected errors to the caller (answered 500, never echoed)', () => {
    expect(mapTusError(new Error('EACCES: permission denied, open /srv/files/.upload-staging/x'))).toBeUndefined();
  });

  it('gives tus errors short messages without server paths', () => {
    expect(mapTusError(ERRORS.INVALID_OFFSET)?.message).toBe('upload-offset conflict');
  });
});

describe('errorBody', () => {
  it('is the service JSON error with a reason, 460 named as tus names it', () => {
    expect(JSON.parse(errorBody(460, 'digest-mismatch', 'x'))).toEqual({
      statusCode: 460,
      error: 'Checksum Mismatch',
      message: 'x',
      reason: 'digest-mismatch',
    });
    expect(JSON.parse(errorBody(507, 'no-space', 'y'))).toEqual({
      statusCode: 507,
      error: 'Insufficient Storage',
      message: 'y',
      reason: 'no-space',
    });
  });
});
