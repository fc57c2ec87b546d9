import { catchRejection } from '../core/isThenable.js';
import { reportInternalError } from '../core/registry.js';

/**
 * Runs `fn`; on a throw, counts and reports it and returns `fallback` (tracing never throws).
 * A rejected promise it returns (an `async` callback) is counted and reported the same way.
 */
export function safely<T>(where: string, fn: () => T, fallback: T): T {
  try {
    const result = fn();
    catchRejection(where, result);
    return result;
  } catch (error) {
    reportInternalError(where, error);
    return fallback;
  }
}
