/**
 * The value of one sample in Prometheus text format, e.g. `files_open_handles` or
 * `http_requests_total{method="GET",status="206"}`; 0 when the sample is absent.
 */
export function sample(metrics: string, name: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** The sum of every sample of a metric, whatever its labels: `http_requests_total` over all methods and statuses. */
export function total(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
