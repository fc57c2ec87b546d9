import type { HeldLock, LockMode } from './LockMode.js';
import type { RequestRoot } from './RequestRoot.js';
import type { VectorClock } from './VectorClock.js';

export { RequestRoot } from './RequestRoot.js';

/**
 * A unit that runs its code in order: the request itself, a `trackAsync` branch, a timer,
 * an immediate, an emitter listener. Two accesses of one task are ordered by program order;
 * accesses of two tasks only through the edges `TaskModel` records in their clocks.
 * Created by `TaskModel` (`newRoot`, `fork`), never directly.
 */
export class Task {
  /** Process-unique, from a counter. */
  readonly id: number;
  /** What the task is: 'request', a `trackAsync` name, 'timeout', 'listener:<event>', ... */
  readonly name: string;
  /** The request this task belongs to. */
  readonly root: RequestRoot;
  /** The task that spawned it; undefined for a request's root task. */
  readonly parent: Task | undefined;
  /** Its vector clock; its own entry is its current epoch. */
  readonly clock: VectorClock;
  /** Locks held now (change them through `TaskModel.acquire`/`release`). */
  readonly held = new Map<string, LockMode>();
  /** Set by `TaskModel.end`. */
  ended = false;
  #label: string | undefined;
  // Snapshot of `held` shared by every access made while it does not change: a window entry
  // stores the reference, so an access under a lock costs no allocation.
  #heldLocks: readonly HeldLock[] | undefined;

  /** @internal use `TaskModel.newRoot`/`fork`. */
  constructor(
    id: number,
    name: string,
    root: RequestRoot,
    parent: Task | undefined,
    clock: VectorClock,
  ) {
    this.id = id;
    this.name = name;
    this.root = root;
    this.parent = parent;
    this.clock = clock;
  }

  /** `t<id>:<name>`, the `task_id` of the JSON. */
  get label(): string {
    return (this.#label ??= `t${this.id}:${this.name}`);
  }

  /** The task's own clock entry: what an access stores instead of a copy of the clock (FastTrack). */
  get epoch(): number {
    return this.clock.get(this.id);
  }

  /** The locks held now with their modes; undefined when none (the common case, no allocation). */
  heldLocks(): readonly HeldLock[] | undefined {
    if (this.held.size === 0) return undefined;
    // The length check also catches `held` edited directly rather than through hold/letGo.
    if (this.#heldLocks === undefined || this.#heldLocks.length !== this.held.size) {
      this.#heldLocks = Array.from(this.held, ([id, mode]) => ({ id, mode }));
    }
    return this.#heldLocks;
  }

  /** @internal records a lock as held (`TaskModel.acquire`). */
  hold(lockId: string, mode: LockMode): void {
    this.held.set(lockId, mode);
    this.#heldLocks = undefined;
  }

  /** @internal forgets a held lock (`TaskModel.release`); its mode, or undefined if not held. */
  letGo(lockId: string): LockMode | undefined {
    const mode = this.held.get(lockId);
    if (mode !== undefined) {
      this.held.delete(lockId);
      this.#heldLocks = undefined;
    }
    return mode;
  }
}
