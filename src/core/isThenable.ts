import { reportInternalError } from './registry.js';

/** Whether `value` is a Promise or another thenable (a handler's or callback's async result). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false; // a Proxy whose `get` throws: not a promise anyone can await either
  }
}

/**
 * Handles the rejection of a callback's result that is a promise where a plain value was
 * expected (an `async` entityFilter, trigger or authorize): counted and reported like a throw,
 * instead of an unhandled rejection, which ends a Node.js process.
 */
export function catchRejection(where: string, value: unknown): void {
  if (!isThenable(value)) return;
  try {
    value.then(undefined, (error: unknown) => reportInternalError(where, error));
  } catch (error) {
    reportInternalError(where, error); // a `then` that throws
  }
}
