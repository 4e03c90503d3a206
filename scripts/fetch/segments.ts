/** One byte range of the download, and how much of it is already in FILE.part. */
export interface Segment {
  readonly start: number;
  /** Inclusive last byte. */
  readonly end: number;
  /** Bytes of this segment already in FILE.part. */
  done: number;
}

/** N contiguous segments covering 0..size-1 (fewer when the file is smaller than N bytes). */
export function planSegments(size: number, count: number): Segment[] {
  const length = Math.max(1, Math.ceil(size / count));
  const segments: Segment[] = [];
  for (let start = 0; start < size; start += length) segments.push({ start, end: Math.min(size, start + length) - 1, done: 0 });
  return segments;
}

export function segmentLength(segment: Segment): number {
  return segment.end - segment.start + 1;
}

/** Bytes of all segments already received. */
export function completedBytes(segments: readonly Segment[]): number {
  return segments.reduce((sum, segment) => sum + segment.done, 0);
}

/** The segments not complete yet. */
export function pendingSegments(segments: readonly Segment[]): Segment[] {
  return segments.filter((segment) => segment.done < segmentLength(segment));
}

/** The `Range` header value for the rest of `segment`. */
export function remainingRange(segment: Segment): string {
  return `bytes=${segment.start + segment.done}-${segment.end}`;
}
