import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** One registry's metrics as `getMetricsAsJSON()` gives them (what AggregatorRegistry.aggregate takes). */
type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * WORKERS > 1: one scrape of any worker shows the whole process tree. The worker that took the
 * scrape asks the primary; the primary asks every worker for its registry as JSON, adds its own
 * (the digest engine's metrics live there), and answers with prom-client's aggregation of all
 * (AggregatorRegistry.aggregate: sums, or the aggregator a metric declares, e.g. the mean of
 * event-loop lag). prom-client's own clusterMetrics() cannot include the primary's registry.
 */
const SCRAPE_REQUEST = 'rds:metrics-scrape';
const SCRAPE_ANSWER = 'rds:metrics-answer';
const COLLECT_REQUEST = 'rds:metrics-collect';
const COLLECT_ANSWER = 'rds:metrics-collected';
/** A worker that does not answer within this is left out of that scrape rather than failing it. */
const COLLECT_TIMEOUT_MS = 3_000;
const SCRAPE_TIMEOUT_MS = 6_000;

interface Message {
  readonly type: string;
  readonly id: number;
}
interface ScrapeAnswer extends Message {
  readonly metrics?: string;
  readonly error?: string;
}
interface Collected extends Message {
  readonly metrics: MetricsJson;
}

function isMessage<T extends Message>(message: unknown, type: string): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === type &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}

let nextId = 1;

/** In the primary: answers the workers' scrape requests with the aggregate of every worker and `own`. */
export function serveClusterMetrics(own: Registry): void {
  const collecting = new Map<number, (metrics: MetricsJson) => void>();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (isMessage<Collected>(message, COLLECT_ANSWER)) {
      collecting.get(message.id)?.(message.metrics);
      return;
    }
    if (!isMessage<Message>(message, SCRAPE_REQUEST)) return;
    const collectFrom = (target: Worker): Promise<MetricsJson | undefined> => {
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(undefined), COLLECT_TIMEOUT_MS);
        function finish(metrics: MetricsJson | undefined): void {
          clearTimeout(timer);
          collecting.delete(id);
          resolve(metrics);
        }
        collecting.set(id, finish);
        target.send({ type: COLLECT_REQUEST, id } satisfies Message);
      });
    };
    const workers = Object.values(cluster.workers ?? {}).filter((each): each is Worker => each !== undefined && each.isConnected());
    const reply = (answer: Omit<ScrapeAnswer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: SCRAPE_ANSWER, id: message.id, ...answer } satisfies ScrapeAnswer);
    };
    Promise.all([own.getMetricsAsJSON(), ...workers.map(collectFrom)])
      .then((all) => AggregatorRegistry.aggregate(all.filter((metrics): metrics is MetricsJson => metrics !== undefined)).metrics())
      .then(
        (metrics) => reply({ metrics }),
        (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

/** In a worker: hands `registry` to the primary whenever it collects for a scrape. */
export function joinClusterMetrics(registry: Registry): void {
  process.on('message', (message: unknown) => {
    if (!isMessage<Message>(message, COLLECT_REQUEST)) return;
    void registry
      .getMetricsAsJSON()
      .then((metrics) => process.send?.({ type: COLLECT_ANSWER, id: message.id, metrics } satisfies Collected));
  });
}

/** In a worker: the aggregate of the whole process tree, through the primary. */
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
    send({ type: SCRAPE_REQUEST, id } satisfies Message);
  });
}

/** True in a node:cluster worker, whose scrapes go through the primary. */
export function inClusterWorker(): boolean {
  return cluster.isWorker;
}
