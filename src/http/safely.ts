import { reportInternalError } from '../core/registry.js';

/** Runs `fn`; on a throw, counts and reports it and returns `fallback` (tracing never throws). */
export function safely<T>(where: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportInternalError(where, error);
    return fallback;
  }
}
