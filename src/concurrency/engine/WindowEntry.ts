import type { AccessPoint } from './happensBefore.js';
import type { HeldLock } from './LockMode.js';
import type { RaceFinding } from './RaceEngine.js';
import type { Task } from './Task.js';

/**
 * One access kept in a variable's window: its point in time, never a copy of a clock. Mutable
 * only so that a window can reuse the object of an entry it dropped (`AccessWindow.takeSpare`).
 */
export interface WindowEntry<P> extends AccessPoint {
  task: Task;
  epoch: number;
  seq: number;
  /** A write or a delete (a delete counts as a write for races). */
  write: boolean;
  payload: P;
  /** Locks its task held then, with their modes; undefined when none. */
  locks: readonly HeldLock[] | undefined;
  /**
   * For a read: the latest write of another task made after it and not ordered after it. If the
   * reader's next access is a write, that write is made from a stale read: a lost update.
   */
  staleBy: WindowEntry<P> | undefined;
  /** The `read_write` finding reported for this read and `staleBy`, if it was reported. */
  staleFinding: RaceFinding<P> | undefined;
}

/** Whether two accesses were guarded by one lock, at least one side holding it exclusively. */
export function shareLock(
  a: readonly HeldLock[] | undefined,
  b: readonly HeldLock[] | undefined,
): boolean {
  if (a === undefined || b === undefined) return false;
  for (const x of a) {
    for (const y of b) {
      if (x.id === y.id && (x.mode === 'exclusive' || y.mode === 'exclusive')) return true;
    }
  }
  return false;
}
