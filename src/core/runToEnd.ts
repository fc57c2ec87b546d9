import { context, type Context } from '@opentelemetry/api';
import { isThenable } from './isThenable.js';

/**
 * Runs `fn` in `ctx` and calls `done` once when it returns or settles, with its error if it threw
 * or rejected (a nullish one replaced by an Error that says so). `fn`'s result, a Promise
 * included, and its errors reach the caller unchanged. `what` names the caller in those errors.
 * @example return runToEnd(ctx, fn, (error) => endSpan(span, error), 'span');
 */
export function runToEnd<T>(
  ctx: Context,
  fn: () => T,
  done: (error?: unknown) => void,
  what: string,
): T {
  let result: T;
  try {
    result = context.with(ctx, fn);
  } catch (error) {
    done(error ?? new Error(`${what}: fn threw a nullish value`));
    throw error;
  }
  if (!isThenable(result)) {
    done();
    return result;
  }
  return result.then(
    (value) => {
      done();
      return value;
    },
    (error: unknown) => {
      done(error ?? new Error(`${what}: fn rejected with a nullish value`));
      throw error;
    },
  ) as T;
}
