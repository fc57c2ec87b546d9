import type { Task } from './Task.js';

/** Bits of the race kinds, for `PairLedger`. */
export const KIND_BIT = { read_write: 1, write_write: 2, lost_update: 4 } as const;

/** Pairs kept per variable before dropping the oldest, when ended tasks cannot be pruned. */
const HARD_CAP = 4096;

/**
 * Which (kind, task pair) a variable has already reported, so that a race found again on every
 * iteration of a loop is reported once. Keyed by task objects both ways (one lookup from either
 * side, no key strings). Pairs whose tasks ended and left the window can never recur, and are
 * pruned as the ledger grows.
 */
export class PairLedger {
  readonly #pairs = new Map<Task, Map<Task, number>>();
  #pruneAt = 64;

  /**
   * Records the pair for `kindBit`; false when it was already recorded. `inWindow` says whether a
   * task still has accesses in the variable's window (its pairs may still recur).
   */
  claim(a: Task, b: Task, kindBit: number, inWindow: (task: Task) => boolean): boolean {
    const bits = this.#pairs.get(a)?.get(b) ?? 0;
    if ((bits & kindBit) !== 0) return false;
    this.#set(a, b, bits | kindBit);
    this.#set(b, a, bits | kindBit);
    if (this.#pairs.size > this.#pruneAt) this.#prune(inWindow);
    return true;
  }

  /** Tasks with a recorded pair. */
  get size(): number {
    return this.#pairs.size;
  }

  #set(a: Task, b: Task, bits: number): void {
    let inner = this.#pairs.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.#pairs.set(a, inner);
    }
    inner.set(b, bits);
  }

  #prune(inWindow: (task: Task) => boolean): void {
    for (const [task, inner] of this.#pairs) {
      if (task.ended && !inWindow(task)) this.#drop(task, inner);
    }
    // Tasks that never end (a caller that forgets `end`) must not grow it without bound.
    for (const [task, inner] of this.#pairs) {
      if (this.#pairs.size <= HARD_CAP) break;
      this.#drop(task, inner);
    }
    this.#pruneAt = Math.max(64, this.#pairs.size * 2);
  }

  #drop(task: Task, inner: Map<Task, number>): void {
    for (const other of inner.keys()) {
      const back = this.#pairs.get(other);
      back?.delete(task);
      if (back?.size === 0) this.#pairs.delete(other);
    }
    this.#pairs.delete(task);
  }
}
