import type { StateRecorder } from './StateRecorder.js';
import { TrackingTree } from './TrackingTree.js';

/**
 * A proxy of `obj` that reports every read, write and delete of its nested state to `recorder`,
 * named from `basePath`: `accounts.alice.balance`, `items[3]`, `sessions["u1"]`,
 * `owners[object#2]`, `tags["vip"]`. Nested objects, arrays, Maps and Sets are wrapped lazily,
 * one proxy per object (identity is stable whether or not tracing is on). When
 * `recorder.active()` is false the proxy does the plain operation and records nothing. Never
 * throws: what `obj` cannot be tracked as (a primitive, a function, a Date...) is returned as is.
 * @example
 * const accounts = trackObjectWith(recorder, { alice: { balance: 100 } }, 'accounts');
 * accounts.alice.balance -= 30; // read then write of 'accounts.alice.balance'
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
