import cluster, { type Worker } from 'node:cluster';
import type { FileVersion } from '../files/file-version.js';
import type { Digests } from './digest-cache.js';
import type { DigestEngine, DigestSource } from './digest-engine.js';
import type { HashOutcome, HashRequest } from './hash-file.js';

/**
 * WORKERS > 1: the primary owns the hashing (one DigestEngine, one worker thread, one connection
 * to the shared store), so a file is hashed once per host whichever worker is asked. A worker
 * sends its questions to the primary; every digest the primary learns is sent to every worker,
 * whose own memory cache then answers requests without asking again. The channel is node:cluster's
 * IPC with the 'advanced' serialization (structured clone: bigint and Uint8Array pass as they are).
 */
const COMPUTE = 'rds:digest-compute';
const ANSWER = 'rds:digest-answer';
const KNOWN = 'rds:digest-known';

interface ComputeMessage {
  readonly type: typeof COMPUTE;
  readonly id: number;
  readonly request: HashRequest;
}

interface AnswerMessage {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly outcome: HashOutcome;
}

interface KnownMessage {
  readonly type: typeof KNOWN;
  readonly version: FileVersion;
  readonly digests: Digests;
}

function typed<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** In the primary: answers the workers' digest questions from `engine`, and tells every worker each digest learnt. */
export function serveDigests(engine: DigestEngine): void {
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!typed<ComputeMessage>(message, COMPUTE)) return;
    const asked = engine.compute(message.request).catch((error: unknown): HashOutcome => ({ kind: 'failed', reason: String(error) }));
    void asked.then((outcome) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, outcome } satisfies AnswerMessage);
      if (outcome.kind !== 'hashed') return;
      const known: KnownMessage = { type: KNOWN, version: message.request.version, digests: outcome.digests };
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other !== undefined && other !== worker && other.isConnected()) other.send(known);
      }
    });
  });
}

/** In a worker: the primary as the source of digests. `learnt` receives what the primary tells every worker. */
export class PrimaryDigests implements DigestSource {
  private readonly waiting = new Map<number, (outcome: HashOutcome) => void>();
  private idleWaiters: Array<() => void> = [];
  private nextId = 1;
  private readonly onMessage = (message: unknown): void => {
    if (typed<KnownMessage>(message, KNOWN)) this.learnt(message.version, message.digests);
    if (!typed<AnswerMessage>(message, ANSWER)) return;
    const done = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    done?.(message.outcome);
    if (this.waiting.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  };

  constructor(private readonly learnt: (version: FileVersion, digests: Digests) => void) {
    process.on('message', this.onMessage);
  }

  compute(request: HashRequest): Promise<HashOutcome> {
    if (process.send === undefined || !process.connected) return Promise.resolve({ kind: 'failed', reason: 'no primary' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      process.send?.({ type: COMPUTE, id, request } satisfies ComputeMessage);
    });
  }

  whenIdle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): Promise<void> {
    process.off('message', this.onMessage);
    for (const done of this.waiting.values()) done({ kind: 'failed', reason: 'stopped' });
    this.waiting.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    return Promise.resolve();
  }
}
