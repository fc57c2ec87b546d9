import { ObjectHandler } from './ObjectHandler.js';
import { isActive } from './recording.js';
import { unwrap } from './registry.js';

type Key = string | symbol;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The proxy handler of a class instance (any object whose prototype is not `Object.prototype`,
 * `null` or `Array.prototype`). Methods called with a proxy as `this` cannot reach the instance's
 * `#private` fields or a built-in's internal slots (a TypeError), so here everything runs against
 * the instance itself: methods are returned bound to it (one bound function per method and
 * instance, so `p.account.deposit === p.account.deposit`), getters and setters run with it as
 * `this`. Reads and writes of its properties through the proxy are recorded; what the methods
 * do inside is not (they never see the proxy). `constructor` is returned as is.
 */
export class InstanceHandler extends ObjectHandler {
  #bound: Map<AnyFunction, AnyFunction> | undefined;

  override get(target: object, key: Key, _receiver: unknown): unknown {
    return this.got(target, key, Reflect.get(target, key, target), InstanceHandler.prototype.get);
  }

  override set(target: object, key: Key, value: unknown, receiver: unknown): boolean {
    const raw = unwrap(value);
    const setOn = receiver === this.proxy ? target : receiver;
    if (!isActive(this.recorder)) return Reflect.set(target, key, raw, setOn);
    return this.write(target, key, raw, receiver, setOn, InstanceHandler.prototype.set);
  }

  /** What a read of `key` that returned `value` gives the user, recorded when active. */
  protected got(
    target: object,
    key: Key,
    value: unknown,
    above: (...args: never[]) => unknown,
  ): unknown {
    if (typeof value === 'function') return this.method(key, value as AnyFunction);
    if (!isActive(this.recorder)) {
      return typeof value === 'object' && value !== null ? this.child(target, key, value) : value;
    }
    return this.read(target, key, value, above);
  }

  /** `fn` bound to the instance, the same bound function on every read. */
  protected method(key: Key, fn: AnyFunction): unknown {
    if (key === 'constructor') return fn;
    try {
      this.#bound ??= new Map();
      let bound = this.#bound.get(fn);
      if (bound === undefined) {
        bound = fn.bind(this.target) as AnyFunction;
        this.#bound.set(fn, bound);
      }
      return bound;
    } catch {
      return fn;
    }
  }
}
