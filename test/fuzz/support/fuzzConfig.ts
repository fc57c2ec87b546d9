// The fuzz suite's settings: one fixed seed, a run count from the environment, and the bounds the
// properties assert. `npm test` runs few cases; `.ci/run` runs many (STEPMARK_FUZZ_RUNS).
import fc from 'fast-check';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  return n;
}

/** Cases per property. Default 50, so that the whole suite stays well under 20 s in `npm test`. */
export const FUZZ_RUNS = positiveInt('STEPMARK_FUZZ_RUNS', 50);

/** The seed every property starts from; set STEPMARK_FUZZ_SEED to explore other cases. */
export const FUZZ_SEED = positiveInt('STEPMARK_FUZZ_SEED', 42);

/**
 * Upper bound of one in-process call, in ms. Generous on purpose: the slowest call seen in 1,000
 * cases took 73 ms, the blow-ups this suite found took 5 to 10 s; only such a blow-up (a quadratic
 * walk, a copy of millions of paths) crosses it, never a GC pause or a busy CI machine. Speed
 * itself is measured in bench/, not here.
 */
export const CALL_BUDGET_MS = 1_000;

/** Upper bound of one call that goes over a loopback socket (an HTTP request, a CLI run). */
export const IO_CALL_BUDGET_MS = 2_000;

/** Heap growth after GC allowed over one property's runs, in MB. */
export const HEAP_BOUND_MB = 64;

/**
 * Applies the seed and run count to every property of the file that calls it. A property that
 * runs longer than 150 s (slow cases, or shrinking a counterexample made of slow cases) stops
 * and fails, rather than holding CI until its timeout.
 */
export function configureFuzz(): void {
  fc.configureGlobal({
    seed: FUZZ_SEED,
    numRuns: FUZZ_RUNS,
    interruptAfterTimeLimit: 150_000,
    markInterruptAsFailure: true,
  });
}

/**
 * A vitest timeout for a property whose cases cost up to `perCaseMs` each: room for every case
 * and for shrinking a counterexample, never less than 200 s (past the 150 s interrupt above).
 */
export function fuzzTimeout(perCaseMs: number): number {
  return Math.max(200_000, 3 * FUZZ_RUNS * perCaseMs);
}
