// Shared helpers of the benchmarks: every figure is a ratio against a baseline run in the same process.
import { GCProfiler, getHeapStatistics } from 'node:v8';

/** Median nanoseconds per operation of `loop(n)`, which must run the operation n times. */
export function nsPerOp(loop: (n: number) => void, n: number, rounds = 9): number {
  loop(Math.min(n, 200_000)); // warm-up: let the JIT settle before timing
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    loop(n);
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[rounds >> 1] ?? Number.NaN;
}

/**
 * `nsPerOp` of two loops, alternated three times so that drift of the machine hits both alike;
 * the best median of each.
 */
export function pairedNsPerOp(
  a: (n: number) => void,
  b: (n: number) => void,
  n: number,
): [number, number] {
  let bestA = Number.POSITIVE_INFINITY;
  let bestB = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    bestA = Math.min(bestA, nsPerOp(a, n));
    bestB = Math.min(bestB, nsPerOp(b, n));
  }
  return [bestA, bestB];
}

/** One turn of the event loop, as between two requests of a server. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * As nsPerOp, with a turn of the event loop (untimed) after each round. Loops that create spans
 * need it: the SDK's export promises and per-job state are released only when the loop turns.
 */
export async function nsPerOpSettled(
  loop: (n: number) => void,
  n: number,
  rounds = 9,
): Promise<number> {
  loop(Math.min(n, 100_000));
  await nextTurn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    loop(n);
    samples.push(Number(process.hrtime.bigint() - start) / n);
    await nextTurn();
  }
  samples.sort((a, b) => a - b);
  return samples[rounds >> 1] ?? Number.NaN;
}

/** As nsPerOp for an async loop. */
export async function nsPerOpAsync(
  loop: (n: number) => Promise<void>,
  n: number,
  rounds = 7,
): Promise<number> {
  await loop(Math.min(n, 2_000));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    await loop(n);
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[rounds >> 1] ?? Number.NaN;
}

/** Runs a full GC (needs --expose-gc) and returns heapUsed. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the benchmarks with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function heapGrowth(loop: (n: number) => void, n: number): number {
  const before = heapAfterGc();
  loop(n);
  return process.memoryUsage().heapUsed - before;
}

/**
 * Bytes of heap allocated per call of `loop`: the slope between a short and a long run (both
 * below the young generation's size, so no scavenge hides anything), which cancels fixed costs
 * such as JIT metadata. Median of 5 estimates.
 */
export function bytesPerCall(loop: (n: number) => void, short = 50_000, long = 250_000): number {
  loop(long); // warm-up and JIT
  loop(long);
  const slopes: number[] = [];
  for (let i = 0; i < 5; i++) {
    slopes.push((heapGrowth(loop, long) - heapGrowth(loop, short)) / (long - short));
  }
  slopes.sort((a, b) => a - b);
  return Math.max(0, slopes[2] ?? Number.NaN);
}

/**
 * Bytes of heap allocated by `await loop(n)`, which may span turns of the event loop and GCs:
 * what is in use at the end more than at the start, plus what every GC in between freed.
 */
async function allocatedBy(loop: (n: number) => Promise<void>, n: number): Promise<number> {
  heapAfterGc();
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  await loop(n);
  const after = getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const gc of profiler.stop().statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return after - before + freed;
}

/**
 * As bytesPerCall for an async loop (e.g. requests with turns of the event loop): the slope
 * between a short and a long run, median of 5 estimates. Runs may be long enough to trigger
 * GCs: the bytes each GC frees are counted back in (v8.GCProfiler).
 */
export async function bytesPerCallAsync(
  loop: (n: number) => Promise<void>,
  short: number,
  long: number,
): Promise<number> {
  await loop(long); // warm-up and JIT
  const slopes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const longBytes = await allocatedBy(loop, long);
    slopes.push((longBytes - (await allocatedBy(loop, short))) / (long - short));
  }
  slopes.sort((a, b) => a - b);
  return Math.max(0, slopes[2] ?? Number.NaN);
}

const results: string[] = [];

/** Units of absolute figures; anything else is the baseline of a ratio. */
const UNITS = new Set(['MB', 'bytes']);

/**
 * Prints one line `name: 0.52x baseline (target <= 1x) PASS|MISS`, or `name: 0.05 bytes ...` for
 * an absolute figure, and remembers it.
 */
export function report(
  name: string,
  value: number,
  baseline: string,
  target: { max: number; goal?: number } | undefined,
  detail = '',
): void {
  const x = UNITS.has(baseline) ? '' : 'x';
  const verdict = target === undefined ? '' : value <= target.max ? ' PASS' : ' MISS';
  const limit =
    target === undefined
      ? ''
      : ` (target <= ${target.max}${x}${target.goal !== undefined ? `, goal ${target.goal}${x}` : ''})`;
  const line = `${name}: ${value.toFixed(2)}${x} ${baseline}${limit}${verdict}${detail ? `  [${detail}]` : ''}`;
  results.push(line);
  console.log(line);
}

/** Exits non-zero if any target was missed, so `npm run bench` fails loudly. */
export function finish(): void {
  if (results.some((line) => line.includes(' MISS'))) process.exitCode = 1;
}

/** Formats nanoseconds. */
export const ns = (value: number): string => `${value.toFixed(1)} ns`;
