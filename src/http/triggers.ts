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
 * @example headerTrigger('X-Stepmark') // X-Stepmark: true
 */
export function headerTrigger(name: string): Trigger {
  const header = name.toLowerCase();
  return function stepmarkHeaderTrigger(_req, head) {
    return isOn(headOf(head, header));
  };
}

/**
 * Triggers when query parameter `name` is 1/true/yes/on.
 * @example queryTrigger('stepmark') // GET /orders?stepmark=true
 */
export function queryTrigger(name: string): Trigger {
  return function stepmarkQueryTrigger(_req, head) {
    const url = head.url ?? '';
    const q = url.indexOf('?');
    // No query string: no parsing at all (the common, untriggered case).
    if (q < 0 || !url.includes(name, q)) return false;
    return isOn(new URLSearchParams(url.slice(q + 1)).get(name));
  };
}

/** Triggers when any of `triggers` does. */
export function anyTrigger<R>(...triggers: Trigger<R>[]): Trigger<R> {
  return function stepmarkAnyTrigger(req, head) {
    return triggers.some((t) => t(req, head));
  };
}

/** Triggers when all of `triggers` do. */
export function allTriggers<R>(...triggers: Trigger<R>[]): Trigger<R> {
  return function stepmarkAllTriggers(req, head) {
    return triggers.every((t) => t(req, head));
  };
}
