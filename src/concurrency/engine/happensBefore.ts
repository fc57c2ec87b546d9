import type { Task } from './Task.js';

/**
 * What an access keeps of its moment: its task, the task's epoch then, and its sequence number.
 * FastTrack's point: an epoch is enough to ask "did this reach that later task?", so an access
 * never copies a clock.
 */
export interface AccessPoint {
  readonly task: Task;
  readonly epoch: number;
  readonly seq: number;
}

/**
 * Whether access `a` happens before an access made now by `bTask` at `bSeq` (now: `bTask`'s
 * clock is read as it is at the call). Three ways, any suffices:
 * - program order: same task, `a` earlier (JavaScript runs a task's code on one thread);
 * - lifetime: `a`'s request had ended with all its tasks before `bTask`'s request started;
 * - clocks: an edge chain (fork, join, lock release → acquire) brought `a`'s epoch to `bTask`.
 */
export function happensBefore(a: AccessPoint, bTask: Task, bSeq: number): boolean {
  if (a.task === bTask) return a.seq < bSeq;
  const ended = a.task.root.endSeq;
  if (ended !== undefined && ended < bTask.root.startSeq) return true;
  return bTask.clock.get(a.task.id) >= a.epoch;
}
