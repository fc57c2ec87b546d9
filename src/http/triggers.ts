import { describeValue, nameOption, typeError } from '../core/checkOptions.js';
import { headOf, type RequestHead } from './RequestHead.js';

/**
 * Decides whether a request asks for tracing. Must be cheap: it runs on every request. It gets
 * the framework's request (Express `req`, Koa `ctx`, Hono `c`, a gRPC call ...) and its
 * `RequestHead` (headers, url, method), which is all the built-in triggers read.
 */
export type Trigger<R = unknown> = (req: R, head: RequestHead) => boolean;

/** Values of a trigger header or query flag that mean "on" (compared trimmed, case-insensitive). */
const ON = new Set(['1', 'true', 'yes', 'on']);

function isOn(value: string | undefined | null): boolean {
  return typeof value === 'string' && value.length <= 16 && ON.has(value.trim().toLowerCase());
}

/**
 * Triggers when header `name` is 1/true/yes/on. Other values (odd casing aside) do not trigger.
 * Throws a `TypeError` when `name` is no header name.
 * @example headerTrigger('X-Stepmark') // X-Stepmark: true
 */
export function headerTrigger(name: string): Trigger {
  const expects = "a header name such as 'X-Stepmark'";
  const checked = nameOption('headerTrigger(name)', name, expects);
  if (checked === undefined) throw typeError('headerTrigger(name)', expects, name);
  const header = checked.toLowerCase();
  return function stepmarkHeaderTrigger(_req, head) {
    return isOn(headOf(head, header));
  };
}

/**
 * Triggers when query parameter `name` is 1/true/yes/on. Throws a `TypeError` when `name` is no
 * non-empty string.
 * @example queryTrigger('stepmark') // GET /orders?stepmark=true
 */
export function queryTrigger(name: string): Trigger {
  if (typeof name !== 'string' || name === '') {
    throw typeError('queryTrigger(name)', "a query parameter name such as 'stepmark'", name);
  }
  return function stepmarkQueryTrigger(_req, head) {
    const url = head.url ?? '';
    const q = url.indexOf('?');
    // No query string: no parsing at all (the common, untriggered case).
    if (q < 0 || !url.includes(name, q)) return false;
    return isOn(new URLSearchParams(url.slice(q + 1)).get(name));
  };
}

/** Each of `triggers` must be a function: a TypeError names the first that is not. */
function checkTriggers(where: string, triggers: readonly unknown[]): void {
  triggers.forEach((t, i) => {
    if (typeof t !== 'function') {
      throw typeError(
        `${where} argument ${i + 1}`,
        'a trigger (a function)',
        t,
        typeof t === 'string'
          ? `use headerTrigger(${describeValue(t)}) or queryTrigger(${describeValue(t)})`
          : undefined,
      );
    }
  });
}

/** Triggers when any of `triggers` does. Throws a `TypeError` for an argument that is no trigger. */
export function anyTrigger<R>(...triggers: Trigger<R>[]): Trigger<R> {
  checkTriggers('anyTrigger', triggers);
  return function stepmarkAnyTrigger(req, head) {
    return triggers.some((t) => t(req, head));
  };
}

/** Triggers when all of `triggers` do. Throws a `TypeError` for an argument that is no trigger. */
export function allTriggers<R>(...triggers: Trigger<R>[]): Trigger<R> {
  checkTriggers('allTriggers', triggers);
  return function stepmarkAllTriggers(req, head) {
    return triggers.every((t) => t(req, head));
  };
}
