/**
 * A started task or region (`startTask`, `startRegion`): end it, or run work inside it. Where
 * stepmark does not record, the handle is one shared no-op (`run` just calls `fn`).
 */
export interface RuntimeHandle extends Disposable {
  /**
   * Ends the span. The first call counts; later calls do nothing (counted in
   * `runtimeStats().repeatedEnds`). Regions still open inside end first, with it.
   * @example const t = startTask('import'); try { await load() } finally { t.end() }
   */
  end(): void;
  /**
   * Runs `fn` inside the task or region (its span active: decisions, logs, regions and subtasks
   * of `fn` land in it), and returns what `fn` returns, unchanged. It does not end it.
   * @example const region = startRegion('pricing'); const total = region.run(() => price(order)); region.end();
   */
  run<T>(fn: () => T): T;
  /** As `end()`: `using t = startTask('job')` ends it at the end of the block. */
  [Symbol.dispose](): void;
}

/**
 * A logical unit of work (a job, a message, one order in a batch): a span of kind `task`. It can
 * outlive the function that started it and contain subtasks (tasks started inside it), which can
 * outlive it in turn.
 * @example const job = startTask('sync'); queue.on('item', (item) => job.run(() => handle(item)));
 */
export type Task = RuntimeHandle;

/**
 * A phase of the current task (`validate`, `price`, `charge`): a span of kind `region`. Regions
 * nest; a region cannot outlive the task or region it was started in (it ends with it).
 * @example using region = startRegion('charge'); await region.run(() => charge(order));
 */
export type Region = RuntimeHandle;
