import type { StateAccessKind } from '../types.js';
import type { LazyText } from '../core/records/StateDetail.js';
import type { TrackingSite } from './tasks.js';

/**
 * Records one state access where `site` says (its session, span and task), with the locks the
 * task holds now: the part of `trackStateChange` and `trackObject` that is the same.
 */
export function recordAccess(
  site: TrackingSite,
  variable: unknown,
  access: StateAccessKind,
  value: unknown,
  oldValue: unknown,
  location: LazyText | undefined,
): void {
  const task = site.task;
  const locks = task.held.size === 0 ? undefined : [...task.held.keys()];
  site.session.recordState(
    { variable, access, value, oldValue, taskId: task.label, locks, location, task },
    site.span,
  );
}
