import type { Server } from '@tus/server';
import type { Request, Response } from 'express';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { errorBody } from './upload-errors.js';

/**
 * The one place where Express meets @tus/server (and the only casts of the uploads module).
 * tus works on web Requests and Responses; srvx, the adapter tus itself uses in `Server.handle`,
 * converts in both directions. In between, the answer is brought in line with the rest of the
 * service:
 *
 * - error bodies become our JSON `{"statusCode","error","message","reason"}` (tus answers a few
 *   errors, 412 for a missing Tus-Resumable and 400 for an invalid header, as plain text before
 *   any hook runs);
 * - tus's own CORS headers are dropped: CORS is one policy for the whole app.
 */
export async function serveTus(server: Server, req: Request, res: Response): Promise<void> {
  const request = new NodeRequest({ req, res });
  // handleWeb takes a web Request; NodeRequest is one (srvx's ServerRequest), with the Node objects
  // attached for tus to notice a client that goes away.
  const answer = await server.handleWeb(request);
  await sendNodeResponse(res, await inLine(answer));
}

async function inLine(answer: globalThis.Response): Promise<globalThis.Response> {
  const headers = new Headers(answer.headers);
  for (const name of [...headers.keys()]) if (name.startsWith('access-control-')) headers.delete(name);
  // Every tus answer is a short string (or nothing), so reading it whole costs nothing.
  const text = await answer.text();
  if (answer.status < 400) {
    if (text !== '') return new Response(text, { status: answer.status, headers });
    headers.delete('content-type'); // an empty body has no type (tus's Response('') says text/plain)
    if (answer.status !== 204) headers.set('Content-Length', '0');
    return new Response(null, { status: answer.status, headers });
  }
  const body = isOurErrorBody(text) ? text : errorBody(answer.status, reasonOf(answer.status, text), firstLine(text));
  headers.set('Content-Type', 'application/json; charset=utf-8');
  headers.set('Content-Length', String(Buffer.byteLength(body)));
  return new Response(body, { status: answer.status, headers });
}

function isOurErrorBody(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { statusCode?: unknown; reason?: unknown };
    return typeof parsed.statusCode === 'number' && typeof parsed.reason === 'string';
  } catch {
    return false;
  }
}

/** The errors tus writes itself, before any hook (Server.handler). */
function reasonOf(status: number, text: string): string {
  if (status === 412) return 'tus-resumable-required';
  if (status === 400 && text.startsWith('Invalid ')) return 'invalid-header';
  return 'error';
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0].trim();
  return line === '' ? 'error' : line.toLowerCase();
}
