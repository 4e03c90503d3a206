import { Controller, Get, Header } from '@nestjs/common';

/** The body the framework-floor route answers: a constant 19 bytes. */
export const FLOOR_BODY = 'framework floor ok\n';

/**
 * The benchmark's framework floor (bench/README.md): the cheapest request this very app can
 * answer, through the same middleware, filters and Express settings as a file, so the table shows
 * what our file work costs on top of NestJS itself. Mounted only when BENCH_FLOOR_ROUTE=1, at a
 * dot-prefixed path: dot-files are never served, so it can never shadow a file.
 */
@Controller()
export class FloorController {
  @Get('.bench-floor')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  floor(): string {
    return FLOOR_BODY;
  }
}

/** The switch is read straight from the environment: it is a benchmark aid, not a service setting. */
export function floorRouteEnabled(overrides: Record<string, string>): boolean {
  return (overrides.BENCH_FLOOR_ROUTE ?? process.env.BENCH_FLOOR_ROUTE) === '1';
}
