/**
 * A sparse vector clock: task id → counter, absent meaning 0. Sparse because a process runs
 * millions of tasks over its life but any one clock only ever hears of the few that reached it
 * (its ancestors, the tasks it joined, the lock holders before it).
 */
export class VectorClock {
  readonly #entries: Map<number, number>;
  /**
   * Size above which the owner (`TaskModel`) folds entries of forgotten requests. Moved up after
   * a fold that could not shrink the clock, so that folding stays amortized O(1) per join.
   */
  foldAt: number;

  /** An empty clock; `foldAt` defaults to 256 entries. */
  constructor(foldAt = 256, entries?: Map<number, number>) {
    this.foldAt = foldAt;
    this.#entries = entries ?? new Map();
  }

  /** The counter of a task, 0 when the clock has never heard of it. */
  get(taskId: number): number {
    return this.#entries.get(taskId) ?? 0;
  }

  /** Advances a task's own entry; returns the new value (its new epoch). */
  tick(taskId: number): number {
    const next = (this.#entries.get(taskId) ?? 0) + 1;
    this.#entries.set(taskId, next);
    return next;
  }

  /** Pointwise maximum with `other`: everything `other` knows happened now happened before us too. */
  join(other: VectorClock): void {
    if (other === this) return;
    for (const [taskId, counter] of other.#entries) {
      if (counter > (this.#entries.get(taskId) ?? 0)) this.#entries.set(taskId, counter);
    }
  }

  /** An independent copy (a forked task starts from its parent's knowledge, then diverges). */
  copy(): VectorClock {
    return new VectorClock(this.foldAt, new Map(this.#entries));
  }

  /** Forgets everything (a lock's shared-release clock after an exclusive release covers it). */
  clear(): void {
    this.#entries.clear();
  }

  /** Drops the entries `foldable` accepts; returns how many went. */
  fold(foldable: (taskId: number) => boolean): number {
    let removed = 0;
    for (const taskId of this.#entries.keys()) {
      if (foldable(taskId)) {
        this.#entries.delete(taskId);
        removed++;
      }
    }
    return removed;
  }

  /** Entries held (tasks this clock has heard of). */
  get size(): number {
    return this.#entries.size;
  }

  /** The entries, for tests and debugging. */
  entries(): IterableIterator<[number, number]> {
    return this.#entries.entries();
  }
}
