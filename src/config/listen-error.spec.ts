import { describeListenError } from './listen-error.js';

describe('describeListenError', () => {
  test.each([
    ['EADDRINUSE', 'Invalid configuration: PORT 3000 is already in use on "127.0.0.1" (EADDRINUSE)'],
    ['EACCES', 'Invalid configuration: PORT 3000 may not be bound by this user on "127.0.0.1" (EACCES: ports below 1024 need privileges)'],
    ['ENOTFOUND', 'Invalid configuration: HOST "127.0.0.1" cannot be resolved to an address (ENOTFOUND)'],
    ['EAI_AGAIN', 'Invalid configuration: HOST "127.0.0.1" cannot be resolved to an address (EAI_AGAIN)'],
    ['EADDRNOTAVAIL', 'Invalid configuration: HOST "127.0.0.1" is not an address of this machine, so it cannot be bound (EADDRNOTAVAIL)'],
  ])('names the setting that %s makes unusable', (code, line) => {
    expect(describeListenError({ code }, 3000, '127.0.0.1').message).toBe(line);
  });

  it('still names HOST and PORT and the code for an error it does not know', () => {
    expect(describeListenError({ code: 'EWEIRD', message: 'odd' }, 8080, 'example').message).toBe(
      'Invalid configuration: HOST "example" with PORT 8080 cannot be listened on (EWEIRD: odd)',
    );
  });

  it('is one line, whatever the host string holds', () => {
    for (const code of ['EADDRINUSE', 'ENOTFOUND', 'EADDRNOTAVAIL', 'EWEIRD']) {
      expect(describeListenError({ code }, 1, 'a\nb').message).not.toContain('\n');
    }
  });
});
