/** Process-wide counters of `stepmark-otel/concurrency` (a detector's own are in its `stats()`). */
export const concurrencyStats = {
  /** Locks still held past their `timeoutMs` (each reported once, in its request). */
  locksNotReleased: 0,
};
