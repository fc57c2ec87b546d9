import type { WatchedRequest } from './WatchedRequest.js';

/**
 * The most recent slices of requests' own work on the event loop (`performance.now()` times
 * and owner), oldest overwritten. A GC is reported a turn of the loop after it ran (Node
 * delivers 'gc' entries from an immediate); the ring tells then whose work it interrupted, so
 * that its pause is counted as GC and not as that request's work. Fixed size: no allocation per
 * slice.
 */
export class SliceRing {
  readonly #starts: Float64Array;
  readonly #ends: Float64Array;
  readonly #owners: Array<WatchedRequest | undefined>;
  /** Slot of the next slice. */
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#starts = new Float64Array(capacity);
    this.#ends = new Float64Array(capacity);
    this.#owners = new Array<WatchedRequest | undefined>(capacity).fill(undefined);
  }

  /** A slice of `owner`'s work; one that continues the last slice of the same owner extends it. */
  add(start: number, end: number, owner: WatchedRequest): void {
    const last = (this.#next + this.capacity - 1) % this.capacity;
    if (this.#size > 0 && this.#owners[last] === owner && this.#ends[last] === start) {
      this.#ends[last] = end;
      return;
    }
    this.#starts[this.#next] = start;
    this.#ends[this.#next] = end;
    this.#owners[this.#next] = owner;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /**
   * Calls `visit(owner, overlap)` for each slice still held that overlaps `[start, end]`, newest
   * first (slices end in time order, so the walk stops at the first that ended before `start`).
   */
  overlapping(
    start: number,
    end: number,
    visit: (owner: WatchedRequest, overlap: number) => void,
  ): void {
    for (let k = 0, i = this.#next; k < this.#size; k++) {
      i = (i + this.capacity - 1) % this.capacity;
      const sliceEnd = this.#ends[i] as number;
      if (sliceEnd <= start) return;
      const overlap = Math.min(end, sliceEnd) - Math.max(start, this.#starts[i] as number);
      const owner = this.#owners[i];
      if (overlap > 0 && owner !== undefined) visit(owner, overlap);
    }
  }

  /** Forgets every slice (and lets go of their owners). */
  clear(): void {
    this.#owners.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
