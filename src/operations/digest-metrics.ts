import { Counter, type Registry } from 'prom-client';
import type { DigestEvents } from '../digest/digest-engine.js';

/**
 * The digest engine's metrics, in whichever registry the engine's process exports: the service's
 * own (MetricsService), or with WORKERS > 1 the primary's, which is added to every scrape.
 */
export class DigestMetrics implements DigestEvents {
  private readonly hashJobs: Counter<'result'>;
  private readonly storeLookups: Counter<'result'>;

  constructor(registry: Registry) {
    this.hashJobs = new Counter({
      name: 'digest_hash_jobs_total',
      help: 'Files read and hashed for Repr-Digest by the worker thread, by result (hashed, changed, unsettled, failed).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.storeLookups = new Counter({
      name: 'digest_store_lookups_total',
      help: 'Lookups in the shared digest store (DIGEST_STORE): hit when every wanted digest was there, else miss.',
      labelNames: ['result'] as const,
      registers: [registry],
    });
  }

  hashJob(outcome: string): void {
    this.hashJobs.inc({ result: outcome });
  }

  storeLookup(result: 'hit' | 'miss'): void {
    this.storeLookups.inc({ result });
  }
}
