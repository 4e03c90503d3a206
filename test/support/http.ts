import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Response } from 'supertest';
import type { Server } from 'node:http';
import { until } from './wait.js';

/** Collects any body as raw bytes, whatever its Content-Type. */
function binary(response: Response, done: (error: Error | null, body: Buffer) => void): void {
  // superagent's node parser type names its Response, but what it hands over is the incoming stream.
  const res = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (error: Error) => done(error, Buffer.alloc(0)));
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  headers?: Record<string, string>;
}

/** A supertest response whose body is always the raw bytes. */
export type BufferResponse = Omit<Response, 'body'> & { body: Buffer };

/** One request through supertest; the body is always a Buffer. */
export async function fetchFrom(app: INestApplication, path: string, options: FetchOptions = {}): Promise<BufferResponse> {
  const agent = request(app.getHttpServer() as Server);
  const method = (options.method ?? 'GET').toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'delete' | 'patch' | 'options';
  let pending = agent[method](path);
  for (const [name, value] of Object.entries(options.headers ?? {})) pending = pending.set(name, value);
  if (method !== 'head') pending = pending.buffer(true).parse(binary);
  const res = await pending;
  const body: unknown = res.body;
  return Object.assign(res, { body: Buffer.isBuffer(body) ? body : Buffer.alloc(0) });
}

export function json(res: { body: Buffer }): unknown {
  return JSON.parse(res.body.toString('utf8'));
}

/**
 * HEAD until the response carries Repr-Digest (the first request for a file only starts its
 * hashing) and returns its value. Bounded; the bound is a deadline, not a timing assertion.
 */
export async function headUntilDigested(url: string, headers: Record<string, string> = {}): Promise<string> {
  let digest: string | null = null;
  await until(
    async () => {
      digest = (await fetch(url, { method: 'HEAD', headers })).headers.get('repr-digest');
      return digest !== null;
    },
    `Repr-Digest on ${url}`,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return digest ?? '';
}
