import { PROTOCOL } from '../core/registry.js';

/**
 * Counters of `stepmark-otel/runtime`, process-wide (see `runtimeStats()`): the misuses that have
 * a defined outcome, each counted where the trace cannot show it.
 */
export interface RuntimeStats {
  /** `end()` calls on a task or region after its first (the first counts; later ones do nothing). */
  repeatedEnds: number;
  /**
   * Regions ended because the task or region they were started in ended first (out of order):
   * each ended with it, its span marked `stepmark.runtime.ended_by_parent`.
   */
  regionsEndedByParent: number;
  /**
   * Tasks and regions started where the task or region around had already ended (work that
   * outlived it): not recorded, their function ran as it is.
   */
  startsAfterEnd: number;
  /** `run(fn)` calls on a task or region that had ended: `fn` ran, its records on the request's local root span. */
  runsAfterEnd: number;
}

const STATS_KEY = Symbol.for(`stepmark-otel.protocol-${PROTOCOL}.runtime`);

/** The counters, shared by copies of the package through `Symbol.for` (as the registry is). */
export const counters: RuntimeStats = ((): RuntimeStats => {
  const holder = globalThis as unknown as Record<symbol, RuntimeStats | undefined>;
  const existing = holder[STATS_KEY];
  if (existing !== undefined) return existing;
  const created: RuntimeStats = {
    repeatedEnds: 0,
    regionsEndedByParent: 0,
    startsAfterEnd: 0,
    runsAfterEnd: 0,
  };
  holder[STATS_KEY] = created;
  return created;
})();

/**
 * A copy of the runtime counters: repeated `end()` calls, regions ended out of order, work that
 * outlived its task or region. All zero in a program that ends what it starts, in order.
 * @example runtimeStats().regionsEndedByParent // 0 when every region ends before its task
 */
export function runtimeStats(): RuntimeStats {
  return { ...counters };
}
