/**
 * How much longer `run` takes on an input eight times as long, best of several runs: about 8 for
 * a linear parser, about 64 for a quadratic one. A ratio, never an absolute time.
 */
export function growthOf(make: (length: number) => string, run: (input: string) => unknown, length = 16_000): number {
  const best = (input: string): number => {
    let fastest = Infinity;
    for (let i = 0; i < 7; i++) {
      const started = process.hrtime.bigint();
      run(input);
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started));
    }
    return Math.max(fastest, 1);
  };
  const short = make(length);
  const long = make(length * 8);
  best(long); // warm up the code paths first
  return best(long) / best(short);
}
