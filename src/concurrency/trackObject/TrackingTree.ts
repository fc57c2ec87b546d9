import { CollectionHandler } from './CollectionHandler.js';
import { MAP_METHODS, SET_METHODS } from './collectionMethods.js';
import { InstanceHandler } from './InstanceHandler.js';
import { ObjectHandler } from './ObjectHandler.js';
import { collections, handlers, unwrap } from './registry.js';
import type { StateRecorder } from './StateRecorder.js';

/** Objects with internal slots whose state is not reached through properties: returned raw. */
const UNWRAPPED: readonly (abstract new (...args: never[]) => object)[] = [
  Date,
  RegExp,
  Promise,
  WeakMap,
  WeakSet,
  WeakRef,
  FinalizationRegistry,
  ArrayBuffer,
  SharedArrayBuffer,
];

type Kind = 'object' | 'instance' | 'map' | 'set' | 'raw';

function kindOf(value: object): Kind {
  try {
    if (typeof value === 'function') return 'raw';
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value)) return proto === Array.prototype ? 'object' : 'instance';
    if (proto === Object.prototype || proto === null) return 'object';
    if (value instanceof Map) return 'map';
    if (value instanceof Set) return 'set';
    if (ArrayBuffer.isView(value)) return 'raw'; // typed arrays, DataView, Buffer
    for (const type of UNWRAPPED) if (value instanceof type) return 'raw';
    return 'instance';
  } catch {
    // A revoked proxy: wrapped as a plain object, whose every operation then throws the same
    // TypeError it throws untracked.
    return 'object';
  }
}

/**
 * The proxies of one `trackObject` call: one per object reached, created on first sight.
 *
 * Naming rule: an object reachable through several paths (`a.x` and `b.y` holding the same
 * object, or a cycle) is one proxy, named after the first path it was reached through, and all
 * its accesses are recorded under that name. So `p.a.x === p.b.y` exactly when
 * `obj.a.x === obj.b.y`, and one object is always one variable for race detection.
 */
export class TrackingTree {
  /** Target (or a foreign tracking proxy) → its proxy in this tree, or itself when not wrapped. */
  readonly proxies = new WeakMap<object, object>();

  constructor(readonly recorder: StateRecorder) {}

  /** The proxy of `value` in this tree, created under `path` if it has none yet. */
  adopt(value: object, path: string): object {
    const known = this.proxies.get(value);
    if (known !== undefined) return known;
    const target = unwrap(value);
    const proxy = this.proxies.get(target) ?? this.#create(target, path);
    if (target !== value) this.proxies.set(value, proxy);
    return proxy;
  }

  #handlerFor(target: object, path: string): ObjectHandler | undefined {
    switch (kindOf(target)) {
      case 'object':
        return new ObjectHandler(this, target, path);
      case 'instance':
        return new InstanceHandler(this, target, path);
      case 'map':
        return new CollectionHandler(this, target, path, MAP_METHODS);
      case 'set':
        return new CollectionHandler(this, target, path, SET_METHODS);
      case 'raw':
        return undefined;
    }
  }

  #create(target: object, path: string): object {
    const handler = this.#handlerFor(target, path);
    if (handler === undefined) {
      this.proxies.set(target, target);
      return target;
    }
    const proxy = new Proxy(target, handler);
    handler.proxy = proxy;
    handlers.set(proxy, handler);
    if (handler instanceof CollectionHandler) collections.set(proxy, handler);
    this.proxies.set(target, proxy);
    return proxy;
  }
}
