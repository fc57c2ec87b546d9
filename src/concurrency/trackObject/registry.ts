import type { CollectionHandler } from './CollectionHandler.js';
import type { ObjectHandler } from './ObjectHandler.js';

/** Every proxy made by `trackObject` (any tree) → its handler, which knows the target. */
export const handlers = new WeakMap<object, ObjectHandler>();

/** The proxies of Maps and Sets → their handler: what the shared Map/Set method wrappers look up `this` in. */
export const collections = new WeakMap<object, CollectionHandler>();

/**
 * The object behind a tracking proxy, or `value` itself. Values written through a tracked object
 * are unwrapped first, so the user's data never holds our proxies: code that reads it untracked
 * sees plain objects, and a tracked read wraps them again (as the same proxy).
 */
export function unwrap<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    const handler = handlers.get(value);
    if (handler !== undefined) return handler.target as T;
  }
  return value;
}
