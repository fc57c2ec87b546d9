import { reportInternalError } from '../core/registry.js';

/**
 * Calls `settled(failed, error)` once `result` settles, and returns `result` itself: a caller
 * gets the very promise its function returned, and tracing adds no promise that could reject
 * unhandled (a derived one that the caller never sees would crash the process where the
 * untraced code did not). Watching the promise counts as handling it: see docs/concurrency.md.
 */
export function whenSettled<T>(
  result: T & PromiseLike<unknown>,
  where: string,
  settled: (failed: boolean, error: unknown) => void,
): T {
  try {
    result.then(
      () => settled(false, undefined),
      (error: unknown) => settled(true, error),
    );
  } catch (error) {
    // A thenable whose `then` throws: nothing to wait for.
    reportInternalError(where, error);
    settled(false, undefined);
  }
  return result;
}
