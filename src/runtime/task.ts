import { registry, reportInternalError } from '../core/registry.js';
import type { Frame } from './Frame.js';
import { NOOP_HANDLE } from './NoopHandle.js';
import type { Task } from './RuntimeHandle.js';
import { startFrame } from './startFrame.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

function newTask(name: string): Frame | undefined {
  try {
    return startFrame('task', name);
  } catch (error) {
    reportInternalError('task', error);
    return undefined;
  }
}

/**
 * Runs `fn` (sync or async) as a task: a child span of the active one, of kind `task`, ended
 * when `fn` returns or settles. Decisions, logs, regions and subtasks of `fn` land in it. Returns
 * what `fn` returns (a promise settles as `fn`'s does); a throw or rejection marks the span as an
 * error and reaches the caller unchanged. Where stepmark does not record, it only calls `fn`.
 * @example await task('import-batch', async () => { for (const row of rows) await importRow(row) });
 */
export function task<T>(name: string, fn: () => T): T {
  // Disabled path: one load and the call; the rest lives apart, so that this inlines whole.
  return recording.live === 0 ? fn() : tracedTask(name, fn);
}

function tracedTask<T>(name: string, fn: () => T): T {
  // Not a function: the call below throws as it does untraced, and no span is left open.
  const frame = typeof fn === 'function' ? newTask(name) : undefined;
  return frame === undefined ? fn() : frame.runToEnd(fn, 'task');
}

/**
 * Starts a task that lives until `end()` (or the end of a `using` block), whatever function
 * started it: run work inside it with `run(fn)`, from anywhere, at any time before it ends. A
 * task never ended is listed `open: true` when its trace is emitted. Where stepmark does not
 * record, it returns one shared no-op handle.
 * @example const job = startTask('nightly-sync'); await job.run(() => syncAll()); job.end();
 */
export function startTask(name: string): Task {
  if (recording.live === 0) return NOOP_HANDLE;
  return newTask(name) ?? NOOP_HANDLE;
}
