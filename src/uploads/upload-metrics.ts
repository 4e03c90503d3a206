import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../operations/metrics.service.js';

/** Upload metrics, in the service's one prom-client registry (served at /.metrics). */
@Injectable()
export class UploadMetrics {
  private readonly startedTotal: Counter;
  private readonly completedTotal: Counter;
  private readonly failedTotal: Counter<'reason'>;
  private readonly rejectedTotal: Counter<'reason'>;
  private readonly bytesTotal: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.startedTotal = new Counter({ name: 'uploads_started_total', help: 'Uploads created (tus POST answered 201).', registers });
    this.completedTotal = new Counter({
      name: 'uploads_completed_total',
      help: 'Uploads verified and published into the upload folder.',
      registers,
    });
    this.failedTotal = new Counter({
      name: 'uploads_failed_total',
      help: 'Created uploads that failed, by reason: digest-mismatch, size-mismatch, no-space, expired, terminated, exists, escapes, error.',
      labelNames: ['reason'],
      registers,
    });
    this.rejectedTotal = new Counter({
      name: 'uploads_rejected_total',
      help: 'Creation requests refused, by reason (bad names, too large, no space, exists...).',
      labelNames: ['reason'],
      registers,
    });
    this.bytesTotal = new Counter({ name: 'upload_bytes_received_total', help: 'Upload bytes written to staged files.', registers });
  }

  started(): void {
    this.startedTotal.inc();
  }

  completed(): void {
    this.completedTotal.inc();
  }

  failed(reason: string): void {
    this.failedTotal.inc({ reason });
  }

  rejected(reason: string): void {
    this.rejectedTotal.inc({ reason });
  }

  received(bytes: number): void {
    if (bytes > 0) this.bytesTotal.inc(bytes);
  }
}
