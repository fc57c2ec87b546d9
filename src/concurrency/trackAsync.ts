import { isThenable } from '../core/isThenable.js';
import { labelOf } from '../core/sanitize.js';
import { registry, reportInternalError } from '../core/registry.js';
import type { Task } from './engine/Task.js';
import { taskModel } from './engine/TaskModel.js';
import { endTask, taskStorage, trackingSite } from './tasks.js';
import { whenSettled } from '../core/whenSettled.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** Longest task name kept. */
const MAX_NAME = 128;

/**
 * Runs `fn` as a task of its own, a branch of the running one (wrap each `Promise.all` branch):
 * its accesses are ordered after what the parent did before spawning it, not against its
 * siblings, and before what follows its end in the task that awaits it. Returns what `fn`
 * returns, its very promise included. While traced, that promise is watched, which counts as
 * handling it: await what `trackAsync` returns. When tracing is off it just calls `fn`.
 * @example await Promise.all([trackAsync('debit', () => debit(a)), trackAsync('credit', () => credit(b))])
 */
export function trackAsync<T>(name: string, fn: () => T): T {
  if (recording.live === 0) return fn();
  let parent: Task | undefined;
  let child: Task | undefined;
  try {
    parent = trackingSite()?.task;
    if (parent !== undefined) child = taskModel.fork(parent, labelOf(name, MAX_NAME));
  } catch (error) {
    reportInternalError('trackAsync', error);
  }
  if (parent === undefined || child === undefined) return fn();
  let result: T;
  try {
    result = taskStorage.run(child, fn);
  } catch (error) {
    finish(parent, child);
    throw error;
  }
  if (!isThenable(result)) {
    finish(parent, child);
    return result;
  }
  const from = parent;
  const branch = child;
  // The join runs when the branch settles (what awaiting it orders), in the parent's context.
  return whenSettled(result, 'trackAsync', () => finish(from, branch));
}

/** The branch ended and its parent gets its result: the end→join edge. */
function finish(parent: Task, child: Task): void {
  try {
    endTask(child);
    taskModel.join(parent, child);
  } catch (error) {
    reportInternalError('trackAsync', error);
  }
}
