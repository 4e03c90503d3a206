import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * WORKERS > 1: one scrape of any worker shows the whole process tree. The worker that took the
 * scrape asks the primary; the primary collects every worker's registry through prom-client's
 * AggregatorRegistry (its own IPC messages) and answers with the sum (or the aggregator each
 * metric declares, e.g. the mean of event-loop lag).
 */
const SCRAPE_REQUEST = 'rds:metrics-scrape';
const SCRAPE_ANSWER = 'rds:metrics-answer';
/** prom-client gives up on a worker after 5 s; this is a little longer, so its error comes through. */
const SCRAPE_TIMEOUT_MS = 6_000;

interface ScrapeRequest {
  readonly type: typeof SCRAPE_REQUEST;
  readonly id: number;
}

interface ScrapeAnswer {
  readonly type: typeof SCRAPE_ANSWER;
  readonly id: number;
  readonly metrics?: string;
  readonly error?: string;
}

function isMessage<T extends { type: string; id: number }>(message: unknown, type: T['type']): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === type &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}

/** In the primary: answers the workers' scrape requests with the aggregate of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<ScrapeRequest>(message, SCRAPE_REQUEST)) return;
    const reply = (answer: Omit<ScrapeAnswer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: SCRAPE_ANSWER, id: message.id, ...answer } satisfies ScrapeAnswer);
    };
    aggregator.clusterMetrics().then(
      (metrics) => reply({ metrics }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** In a worker: offers `registry` to the primary's aggregation (prom-client answers its requests). */
export function joinClusterMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's listener for the primary's requests
}

let nextId = 1;

/** In a worker: the aggregate of every worker, through the primary. */
export function scrapeThroughPrimary(): Promise<string> {
  const send = process.send?.bind(process);
  if (send === undefined) return Promise.reject(new Error('not a cluster worker'));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('the primary did not answer the scrape')), SCRAPE_TIMEOUT_MS);
    const onMessage = (message: unknown) => {
      if (!isMessage<ScrapeAnswer>(message, SCRAPE_ANSWER) || message.id !== id) return;
      if (message.metrics !== undefined) finish(undefined, message.metrics);
      else finish(new Error(message.error ?? 'no metrics in the answer'));
    };
    function finish(error: Error | undefined, metrics?: string): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error === undefined) resolve(metrics ?? '');
      else reject(error);
    }
    process.on('message', onMessage);
    send({ type: SCRAPE_REQUEST, id } satisfies ScrapeRequest);
  });
}

/** True in a node:cluster worker, whose scrapes go through the primary. */
export function inClusterWorker(): boolean {
  return cluster.isWorker;
}
