import type { LockMode } from './LockMode.js';
import type { Task } from './Task.js';
import { VectorClock } from './VectorClock.js';

/**
 * The release clocks of one lock: the release → next acquire edge. Kept apart by mode because
 * readers do not order each other: a shared acquire follows only exclusive releases, an
 * exclusive acquire follows every release, shared ones included.
 */
export class LockClock {
  /** What every exclusive release so far knew. */
  readonly exclusive: VectorClock;
  /** What the shared releases since the last exclusive release knew. */
  readonly shared: VectorClock;
  /**
   * The `TaskModel`'s forget generation when these clocks were last folded. A lock outlives the
   * requests that use it, so its clocks would fill with entries of forgotten tasks that every
   * acquirer then joins; folding them at the next acquire after a forget keeps acquire cheap.
   */
  foldedAt = 0;

  /** Clocks that fold above `foldAt` entries (see `VectorClock.foldAt`). */
  constructor(foldAt = 256) {
    this.exclusive = new VectorClock(foldAt);
    this.shared = new VectorClock(foldAt);
  }

  /** The acquirer learns what the releases it waits for knew. */
  acquire(task: Task, mode: LockMode): void {
    task.clock.join(this.exclusive);
    if (mode === 'exclusive') task.clock.join(this.shared);
  }

  /** The lock learns what the releaser knew; the caller ticks the releaser afterwards. */
  release(task: Task, mode: LockMode): void {
    if (mode === 'shared') {
      this.shared.join(task.clock);
      return;
    }
    this.exclusive.join(task.clock);
    // An exclusive holder joined the shared releases when it acquired, so its release covers
    // them; joining them again only matters for a lock used out of protocol, and is cheap.
    this.exclusive.join(this.shared);
    this.shared.clear();
  }
}
