import type { StateAccessKind } from '../types.js';
import type { LazyText } from '../core/records/StateDetail.js';
import type { Span } from '@opentelemetry/api';
import type { Session } from '../core/session/Session.js';
import type { Task } from './engine/Task.js';

/**
 * Records one state access of `task` in `session`, on `span`, with the locks the task holds now:
 * the part of `trackStateChange` and `trackObject` that is the same.
 */
export function recordAccess(
  session: Session,
  span: Span | undefined,
  task: Task,
  variable: unknown,
  access: StateAccessKind,
  value: unknown,
  oldValue: unknown,
  location: LazyText | undefined,
): void {
  const locks = task.held.size === 0 ? undefined : [...task.held.keys()];
  session.recordState(
    { variable, access, value, oldValue, taskId: task.label, locks, location, task },
    span,
  );
}
