import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ifRangeAllowsPartial, type RepresentationValidators } from '../http/preconditions.js';
import { parseRangeHeader, type RangeDecision } from '../http/range.js';

export interface RangeRequest {
  method: string;
  range?: string;
  ifRange?: string;
}

/** Decides which bytes of a file a request gets, with the configured limit on ranges. */
@Injectable()
export class RangeService {
  constructor(private readonly config: AppConfig) {}

  select(request: RangeRequest, size: number, validators: RepresentationValidators, nowMs: number): RangeDecision {
    // RFC 9110 §14.2: Range is defined for GET only (a HEAD gets the full metadata).
    if (request.method !== 'GET' || request.range === undefined) return { kind: 'full' };
    // RFC 9110 §13.1.5 / §13.2.2 step 5: a failed If-Range means "send the whole new file".
    if (!ifRangeAllowsPartial(request.ifRange, validators, nowMs)) return { kind: 'full' };
    return parseRangeHeader(request.range, size, { maxRanges: this.config.maxRanges });
  }
}
