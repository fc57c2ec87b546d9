import { InstanceHandler } from './InstanceHandler.js';
import { entryPath } from './paths.js';
import type { TrackingTree } from './TrackingTree.js';

type Key = string | symbol;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The proxy handler of a `Map` or `Set` (subclasses included). Their built-in methods need the
 * real collection as `this`, so reading one returns a tracking replacement from `methods`
 * (shared by all collections: it finds the collection through `this`); a method a subclass
 * overrides is bound to the collection like any instance method. `size` is read from the
 * collection and recorded as `path.size`.
 */
export class CollectionHandler extends InstanceHandler {
  constructor(
    tree: TrackingTree,
    target: object,
    path: string,
    readonly methods: ReadonlyMap<unknown, AnyFunction>,
  ) {
    super(tree, target, path);
  }

  override get(target: object, key: Key, _receiver: unknown): unknown {
    const value: unknown = Reflect.get(target, key, target);
    const tracked = typeof value === 'function' ? this.methods.get(value) : undefined;
    return tracked ?? this.got(target, key, value, CollectionHandler.prototype.get);
  }

  /** A Map value as handed to the user: objects as their proxy, named after the entry's key. */
  entry(key: unknown, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    try {
      return this.tree.proxies.get(value) ?? this.tree.adopt(value, entryPath(this.path, key));
    } catch {
      return value;
    }
  }
}
