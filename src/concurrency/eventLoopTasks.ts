import { registry, reportInternalError } from '../core/registry.js';
import type { Task } from './engine/Task.js';
import { taskModel } from './engine/TaskModel.js';
import { endTask, taskStorage, trackingSite } from './tasks.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** `setTimeout` and its kin, loosely: what the wrappers call through to. */
type Scheduler = (this: unknown, ...args: unknown[]) => unknown;
type Callback = (this: unknown, ...args: unknown[]) => unknown;

/** What `trackEventLoopTasks` replaced, to put back. */
interface Installed {
  setTimeout: Scheduler;
  setImmediate: Scheduler;
  setInterval: Scheduler;
}

let installed: Installed | undefined;
let installs = 0;
/** The last immediate scheduled by a traced task: immediates run in creation order. */
let lastImmediate: Task | undefined;

/**
 * Makes each timer, immediate and interval callback scheduled by a traced request a task of its
 * own (a child of the task that scheduled it), instead of a continuation of that task: an access
 * in `setTimeout(() => balance = 0)` is then compared with the scheduler's later accesses, as
 * Node gives no order between them. Immediates are ordered among themselves (Node runs them in
 * creation order); an interval's runs are one task (they run one after the other). Opt-in
 * because it replaces the global `setTimeout`, `setImmediate` and `setInterval` (with wrappers
 * that only call through when tracing is off); returns the uninstaller. Timers of
 * `node:timers/promises` are not covered: wrap their continuation in `trackAsync`.
 * @example const uninstall = trackEventLoopTasks(); ... uninstall()
 */
export function trackEventLoopTasks(): () => void {
  installs++;
  if (installed === undefined) {
    const original: Installed = {
      setTimeout: globalThis.setTimeout as unknown as Scheduler,
      setImmediate: globalThis.setImmediate as unknown as Scheduler,
      setInterval: globalThis.setInterval as unknown as Scheduler,
    };
    installed = original;
    replace('setTimeout', wrap(original.setTimeout, 'timeout', 'once'));
    replace('setImmediate', wrap(original.setImmediate, 'immediate', 'immediate'));
    replace('setInterval', wrap(original.setInterval, 'interval', 'repeating'));
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    installs--;
    if (installs > 0 || installed === undefined) return;
    replace('setTimeout', installed.setTimeout);
    replace('setImmediate', installed.setImmediate);
    replace('setInterval', installed.setInterval);
    installed = undefined;
    lastImmediate = undefined;
  };
}

function replace(name: keyof Installed, scheduler: Scheduler): void {
  (globalThis as unknown as Record<string, Scheduler>)[name] = scheduler;
}

/**
 * A scheduler that runs the callback as a child task of the scheduling one. `once`: the task
 * ends after the callback; `immediate`: the same, ordered after the previous immediate;
 * `repeating`: one task for every run.
 */
function wrap(
  original: Scheduler,
  name: string,
  runs: 'once' | 'immediate' | 'repeating',
): Scheduler {
  const scheduler = function (this: unknown, callback: unknown, ...rest: unknown[]): unknown {
    if (recording.live === 0 || typeof callback !== 'function') {
      return original.call(this, callback, ...rest);
    }
    let child: Task | undefined;
    let previous: Task | undefined;
    try {
      const parent = trackingSite()?.task;
      if (parent !== undefined) {
        child = taskModel.fork(parent, name);
        if (runs === 'immediate') {
          previous = lastImmediate;
          lastImmediate = child;
        }
      }
    } catch (error) {
      reportInternalError(name, error);
    }
    if (child === undefined) return original.call(this, callback, ...rest);
    const task = child;
    const run = function (this: unknown, ...args: unknown[]): unknown {
      if (previous !== undefined && previous.ended)
        safely(() => taskModel.join(task, previous as Task));
      try {
        return taskStorage.run(task, () => (callback as Callback).apply(this, args));
      } finally {
        if (runs !== 'repeating') safely(() => endTask(task));
      }
    };
    return original.call(this, run, ...rest);
  };
  // `util.promisify(setTimeout)` and friends keep working through the original's custom form.
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) Reflect.defineProperty(scheduler, key, descriptor);
  }
  return scheduler as Scheduler;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    reportInternalError('trackEventLoopTasks', error);
  }
}
