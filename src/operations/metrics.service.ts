import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { inClusterWorker, joinClusterMetrics, scrapeThroughPrimary } from './cluster-metrics.js';
import { DigestMetrics } from './digest-metrics.js';
import { OpenFileHandles } from './open-file-handles.js';

/** What the request observer saw of one finished (or aborted) response. */
export interface ObservedResponse {
  method: string;
  status: number;
  bytesSent: number;
  aborted: boolean;
}

/** From the response: 206 with one Content-Range, or 206 multipart/byteranges. */
export type RangesSent = 'none' | 'single' | 'multiple';

/**
 * Prometheus metrics of this instance, in a registry of its own (several apps in one test process
 * must not share one). Process metrics (RSS, open descriptors, event loop lag...) come from
 * prom-client's defaults.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'File requests answered, by method and status code.',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly bytesSent = new Counter({
    name: 'http_response_bytes_total',
    help: 'Bytes written to client sockets for file requests (status line, headers and body).',
    registers: [this.registry],
  });
  private readonly rangeResponses = new Counter({
    name: 'http_range_responses_total',
    help: 'Partial responses (206) sent, by number of ranges: single or multiple (multipart/byteranges).',
    labelNames: ['ranges'] as const,
    registers: [this.registry],
  });
  private readonly notModified = new Counter({
    name: 'http_not_modified_total',
    help: 'Conditional requests answered 304 Not Modified.',
    registers: [this.registry],
  });
  private readonly aborted = new Counter({
    name: 'http_downloads_aborted_total',
    help: 'Responses whose connection closed before the whole response was sent (client gone, or cut by shutdown or a file change).',
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'http_downloads_in_flight',
    help: 'File requests being answered right now.',
    registers: [this.registry],
  });

  /** The digest engine's counters (hash jobs, shared-store lookups). */
  readonly digests = new DigestMetrics(this.registry);

  constructor(handles: OpenFileHandles) {
    new Gauge({
      name: 'files_open_handles',
      help: 'File handles the service holds open right now (counted at open and close).',
      registers: [this.registry],
      collect() {
        this.set(handles.count);
      },
    });
    collectDefaultMetrics({ register: this.registry });
    if (inClusterWorker()) joinClusterMetrics(this.registry);
  }

  /** Prometheus text of this process, or of every worker when this is one of several (WORKERS > 1). */
  scrape(): Promise<string> {
    return inClusterWorker() ? scrapeThroughPrimary() : this.registry.metrics();
  }

  started(): void {
    this.inFlight.inc();
  }

  finished(response: ObservedResponse, ranges: RangesSent): void {
    this.inFlight.dec();
    this.requests.inc({ method: response.method, status: String(response.status) });
    this.bytesSent.inc(response.bytesSent);
    if (ranges !== 'none') this.rangeResponses.inc({ ranges });
    if (response.status === 304) this.notModified.inc();
    if (response.aborted) this.aborted.inc();
  }
}
