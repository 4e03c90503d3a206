/**
 * Operational endpoints. Every one starts with a dot-segment, and the file routes never serve a
 * dot-file or anything below a dot-folder, so no file on disk can ever shadow them (or be shadowed).
 */
export const LIVENESS_PATH = '/.healthz';
export const READINESS_PATH = '/.readyz';
export const METRICS_PATH = '/.metrics';

export const OPERATIONS_PATHS: ReadonlySet<string> = new Set([LIVENESS_PATH, READINESS_PATH, METRICS_PATH]);
