import type { StateRecorder } from './StateRecorder.js';
import { TrackingTree } from './TrackingTree.js';

/**
 * A proxy of `obj` that reports every read, write and delete of its nested state to `recorder`,
 * at the user's source location. `recorder.active()` false: the plain operation, nothing recorded.
 * Never throws: what cannot be tracked (a primitive, a function, a Date...) is returned as is.
 *
 * - Paths: `accounts.alice.balance`, `items[3]`, `items.length`, `cfg["first name"]`; Map
 *   entries `sessions["u1"]`, `owners[object#2]` (objects numbered once, stably); Set elements
 *   `tags["vip"]`; `size` of a Map or Set is `path.size`, written when membership changes.
 * - Arrays: `push`/`pop`/`splice` run through the proxy and show as the reads, writes and deletes
 *   of the indexes and `length` they touch.
 * - Identity: nested objects are wrapped lazily (cycles are fine), one proxy per object and
 *   `trackObject` call, whether or not tracing is on: `p.alice === p.alice`. An object reachable
 *   through several paths is one proxy, named after the first path it was reached through.
 *   Values written through the proxy are stored unwrapped: the data never holds our proxies.
 * - Not recorded: reads of functions (methods), symbol keys, `Object.keys`/`ownKeys`,
 *   `Object.defineProperty`, writes landing on an object that merely inherits from the proxy.
 * - Class instances (prototype other than Object.prototype, null, Array.prototype) are wrapped,
 *   but their methods come back bound to the instance and their getters and setters run on it,
 *   so `#private` fields and internal slots keep working; what methods do inside is not recorded.
 *   Maps and Sets get tracking versions of their built-in methods (bound to the real collection).
 * - Not wrapped (returned raw, the read still recorded): functions, Date, RegExp, Promise,
 *   typed arrays, DataView, Buffer, ArrayBuffer, WeakMap, WeakSet, WeakRef.
 * - A non-writable, non-configurable property (a frozen object's) returns its raw value, as the
 *   Proxy invariants require; the read is recorded, what is below it is not.
 * - A revoked proxy as (or inside) `obj`: each operation throws the TypeError it throws untracked.
 * @example
 * const accounts = trackObjectWith(recorder, { alice: { balance: 100 } }, 'accounts');
 * accounts.alice.balance -= 30; // reads accounts.alice, accounts.alice.balance; writes it (100 → 70)
 */
export function trackObjectWith<T extends object>(
  recorder: StateRecorder,
  obj: T,
  basePath: string,
): T {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return obj;
  try {
    const path = typeof basePath === 'string' ? basePath : String(basePath);
    return new TrackingTree(recorder).adopt(obj, path) as T;
  } catch {
    return obj;
  }
}
