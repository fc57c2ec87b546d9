import type { Frame } from '../Frame.js';

/**
 * Told when synchronous work enters a task or region (`run`, `task(name, fn)`,
 * `region(name, fn)`) and when it leaves it: the work of a request that runs inside another
 * callback (a request started by a server's callback, a handle's `run` from a queue listener)
 * is timed from there (see `SliceClock`).
 */
export interface FrameWatcher {
  /** Work is about to run in `frame`. */
  enter(frame: Frame): void;
  /** The work entered last returned (or threw): the caller's context is active again. */
  leave(): void;
}

/**
 * The watchers of this copy of the package: the `RuntimeMonitor`s with a traced request open.
 * Empty otherwise, so that a task or region pays one size check.
 */
export const frameWatchers = new Set<FrameWatcher>();

/** Tells every watcher that work enters `frame`. Never throws. */
export function enterFrame(frame: Frame): void {
  for (const watcher of frameWatchers) watcher.enter(frame);
}

/** Tells every watcher that the work entered last left its frame. Never throws. */
export function leaveFrame(): void {
  for (const watcher of frameWatchers) watcher.leave();
}
