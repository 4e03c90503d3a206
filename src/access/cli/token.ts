/**
 * `npm run token -- NAME [--role read|write]`: makes a new random API token. Prints the token
 * (line 1: give it to the client, who sends `Authorization: Bearer TOKEN`) and the API_TOKENS
 * entry (line 2: its SHA-256, which is all the service stores). The token is kept nowhere.
 */
import { parseArgs } from 'node:util';
import { generateToken, hashToken, isRole, TOKEN_NAME } from '../tokens.js';

const USAGE = `usage: npm run token -- NAME [--role read|write]

Prints a new random token (32 bytes, base64url) on the first line and the entry to add to
API_TOKENS on the second. NAME (1-64 of A-Z a-z 0-9 . _ -) appears in access logs as token:NAME.`;

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { role: { type: 'string', default: 'read' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [name] = positionals;
  if (positionals.length !== 1 || !TOKEN_NAME.test(name)) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const role = values.role;
  if (!isRole(role)) {
    process.stderr.write(`token: --role must be read or write (got ${values.role})\n`);
    return 1;
  }
  const token = generateToken();
  process.stdout.write(`${token}\n${name}:${hashToken(token)}${role === 'write' ? ':write' : ''}\n`);
  process.stderr.write('token: line 1 is the token (shown once, stored nowhere); add line 2 to API_TOKENS (comma-separated)\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
