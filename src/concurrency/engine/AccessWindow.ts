import type { PairLedger } from './PairLedger.js';
import type { Task } from './Task.js';
import type { WindowEntry } from './WindowEntry.js';

/** The latest read and latest write of one task among a window's accesses. */
export interface TaskSlot<P> {
  readonly task: Task;
  lastRead: WindowEntry<P> | undefined;
  lastWrite: WindowEntry<P> | undefined;
}

/**
 * The recent accesses of one variable: a ring of at most `capacity` entries (the memory bound)
 * and, per task present in it, its latest read and latest write. A new access is compared with
 * those latest ones only: if a task's latest read (write) happens before it, so does every
 * earlier read (write) of that task, by program order. So detection costs O(tasks in the
 * window), not O(window), and one task's long run of accesses costs one comparison.
 */
export class AccessWindow<P> {
  readonly capacity: number;
  /**
   * One slot per task with an access in the window, in order of arrival; the engine removes
   * slots of retired requests (their entries stay, for `previous`, until they drop out).
   */
  readonly slots: TaskSlot<P>[] = [];
  /** Task pairs already reported on this variable, created on the first race. */
  ledger: PairLedger | undefined;
  // Grows to `capacity` by push, then wraps: a variable touched once costs one short array.
  readonly #ring: WindowEntry<P>[] = [];
  #oldest = 0;
  #spare: WindowEntry<P> | undefined;

  /** An empty window of at most `capacity` entries. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** The most recent access kept, if any. */
  newest(): WindowEntry<P> | undefined {
    const ring = this.#ring;
    if (ring.length < this.capacity) return ring[ring.length - 1];
    return ring[(this.#oldest + this.capacity - 1) % this.capacity];
  }

  /** The `i`-th most recent access kept (0: the newest), if any. */
  fromNewest(i: number): WindowEntry<P> | undefined {
    const ring = this.#ring;
    if (i < 0 || i >= ring.length) return undefined;
    if (ring.length < this.capacity) return ring[ring.length - 1 - i];
    return ring[(this.#oldest + this.capacity - 1 - i) % this.capacity];
  }

  /** Accesses kept. */
  get size(): number {
    return this.#ring.length;
  }

  /** The slot of a task, if it has an access in the window. */
  slotOf(task: Task): TaskSlot<P> | undefined {
    for (const slot of this.slots) if (slot.task === task) return slot;
    return undefined;
  }

  /** Adds an access (the newest); true when the oldest had to be dropped to make room. */
  add(entry: WindowEntry<P>): boolean {
    const ring = this.#ring;
    let dropped = false;
    if (ring.length < this.capacity) {
      ring.push(entry);
    } else {
      const oldest = ring[this.#oldest];
      if (oldest !== undefined) this.#forget(oldest);
      ring[this.#oldest] = entry;
      this.#oldest = (this.#oldest + 1) % this.capacity;
      dropped = true;
    }
    let slot = this.slotOf(entry.task);
    if (slot === undefined) {
      slot = { task: entry.task, lastRead: undefined, lastWrite: undefined };
      this.slots.push(slot);
    }
    if (entry.write) slot.lastWrite = entry;
    else slot.lastRead = entry;
    return dropped;
  }

  /**
   * An entry object to reuse for the next access, if the last `add` dropped one. Entries live
   * as long as the window holds them, long enough to reach the old generation of the heap: reusing
   * them spares the major GCs that a full window would otherwise cost per access. Nothing else
   * holds a dropped entry: only older entries point at it (`staleBy`) and they left before it.
   */
  takeSpare(): WindowEntry<P> | undefined {
    const spare = this.#spare;
    this.#spare = undefined;
    return spare;
  }

  // The oldest entry leaves: a slot pointing at it has nothing newer of that kind.
  #forget(entry: WindowEntry<P>): void {
    this.#spare = entry;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as TaskSlot<P>;
      if (slot.task !== entry.task) continue;
      if (slot.lastRead === entry) slot.lastRead = undefined;
      if (slot.lastWrite === entry) slot.lastWrite = undefined;
      if (slot.lastRead === undefined && slot.lastWrite === undefined) slots.splice(i, 1);
      return;
    }
  }
}
