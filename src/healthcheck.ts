/**
 * The container's HEALTHCHECK: `node dist/healthcheck.js` exits 0 when this instance's readiness
 * endpoint answers 200 within 3 seconds, 1 otherwise. Needs no curl or wget in the image.
 */
import { READINESS_PATH } from './operations/operations-paths.js';

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);

async function probe(): Promise<boolean> {
  const host = WILDCARD_HOSTS.has(process.env.HOST ?? '') ? '127.0.0.1' : (process.env.HOST as string);
  const port = process.env.PORT || '3000';
  const url = new URL(READINESS_PATH, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

process.exitCode = (await probe()) ? 0 : 1;
