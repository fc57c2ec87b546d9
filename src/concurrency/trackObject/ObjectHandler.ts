import { propertyPath } from './paths.js';
import { emit, isActive } from './recording.js';
import { unwrap } from './registry.js';
import { captureLocation } from './SourceLocation.js';
import type { StateRecorder } from './StateRecorder.js';
import type { TrackingTree } from './TrackingTree.js';

type Key = string | symbol;

/** The value of an own data property, without running a getter; undefined otherwise. */
function ownValue(target: object, key: string): unknown {
  try {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
  } catch {
    // A revoked target: the operation itself will throw its own TypeError.
    return undefined;
  }
}

/**
 * A non-configurable, non-writable own data property (a frozen object's): the proxy invariants
 * require `get` to return exactly the target's value there, so such a value is returned raw.
 */
function isLocked(target: object, key: Key): boolean {
  const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
  return (
    descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false
  );
}

/**
 * The proxy handler of a plain object or array: property reads, writes, deletes and `in` are
 * recorded under `path`; nested objects come back as their own proxies, created lazily (so
 * cyclic data is fine) and once per tracked tree (so identity is stable). Getters and setters
 * run against the proxy, as for any proxy, so what they touch is recorded too.
 *
 * The handler is the proxy's handler object itself: the traps are shared prototype methods and
 * reach their state through `this`, with no closure per proxy.
 */
export class ObjectHandler implements ProxyHandler<object> {
  /** The proxy this handler serves (set right after `new Proxy`). */
  proxy: object;
  readonly recorder: StateRecorder;
  /** The last nested object handed out and its proxy (it keeps that one object alive, no more). */
  #lastValue: object | undefined;
  #lastChild: object;

  constructor(
    readonly tree: TrackingTree,
    readonly target: object,
    readonly path: string,
  ) {
    this.recorder = tree.recorder;
    this.proxy = target;
    this.#lastChild = target;
    // Speed: V8 looks the trap up on the handler at every operation, and finds an own property
    // faster than a prototype's method (a leaf read went from ~1.2x to ~1.05x an empty Proxy's).
    // The functions are the (most derived) prototype methods themselves.
    Object.assign(this, {
      get: this.get,
      set: this.set,
      deleteProperty: this.deleteProperty,
      has: this.has,
    });
  }

  get(target: object, key: Key, receiver: unknown): unknown {
    const value: unknown = Reflect.get(target, key, receiver);
    // Disabled path: the plain read, plus the child proxy that keeps identity stable.
    if (!isActive(this.recorder)) {
      return typeof value === 'object' && value !== null ? this.child(target, key, value) : value;
    }
    return this.read(target, key, value, ObjectHandler.prototype.get);
  }

  set(target: object, key: Key, value: unknown, receiver: unknown): boolean {
    const raw = unwrap(value);
    if (!isActive(this.recorder)) return Reflect.set(target, key, raw, receiver);
    return this.write(target, key, raw, receiver, receiver, ObjectHandler.prototype.set);
  }

  deleteProperty(target: object, key: Key): boolean {
    if (!isActive(this.recorder) || typeof key === 'symbol') {
      return Reflect.deleteProperty(target, key);
    }
    const oldValue = ownValue(target, key);
    const deleted = Reflect.deleteProperty(target, key);
    if (deleted) {
      const location = captureLocation(ObjectHandler.prototype.deleteProperty);
      emit(this.recorder, propertyPath(this.path, key), 'delete', undefined, oldValue, location);
    }
    return deleted;
  }

  has(target: object, key: Key): boolean {
    const found = Reflect.has(target, key);
    if (typeof key !== 'symbol' && isActive(this.recorder)) {
      const location = captureLocation(ObjectHandler.prototype.has);
      emit(this.recorder, propertyPath(this.path, key), 'read', found, undefined, location);
    }
    return found;
  }

  /** The recording path of a read: functions and symbol keys are not state and are not recorded. */
  protected read(
    target: object,
    key: Key,
    value: unknown,
    above: (...args: never[]) => unknown,
  ): unknown {
    if (typeof key !== 'symbol' && typeof value !== 'function') {
      const location = captureLocation(above);
      emit(this.recorder, propertyPath(this.path, key), 'read', value, undefined, location);
    }
    return typeof value === 'object' && value !== null ? this.child(target, key, value) : value;
  }

  /**
   * The recording path of a write: the old value is the own data property's (no getter runs for
   * it). Recorded only when the write succeeded and landed on this proxy (not on an object that
   * merely inherits from it).
   */
  protected write(
    target: object,
    key: Key,
    raw: unknown,
    receiver: unknown,
    setOn: unknown,
    above: (...args: never[]) => unknown,
  ): boolean {
    if (typeof key === 'symbol') return Reflect.set(target, key, raw, setOn);
    const oldValue = ownValue(target, key);
    const written = Reflect.set(target, key, raw, setOn);
    if (written && receiver === this.proxy) {
      const location = captureLocation(above);
      emit(this.recorder, propertyPath(this.path, key), 'write', raw, oldValue, location);
    }
    return written;
  }

  /** The proxy of a nested object: the same one every time (see TrackingTree.adopt for the naming rule). */
  protected child(target: object, key: Key, value: object): unknown {
    try {
      // Speed: a one-entry cache in front of the tree's WeakMap (a value's proxy never changes),
      // as code tends to read the same nested object again and again (`p.alice.x`, `p.alice.y`).
      let wrapped: object;
      if (value === this.#lastValue) wrapped = this.#lastChild;
      else {
        wrapped =
          this.tree.proxies.get(value) ?? this.tree.adopt(value, propertyPath(this.path, key));
        this.#lastValue = value;
        this.#lastChild = wrapped;
      }
      return wrapped !== value && isLocked(target, key) ? value : wrapped;
    } catch {
      // A revoked proxy nested in the data, or a hostile one: hand back the raw value.
      return value;
    }
  }
}
