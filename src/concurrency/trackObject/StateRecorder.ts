import type { StateAccessKind } from '../../types.js';
import type { SourceLocation } from './SourceLocation.js';

/**
 * Where `trackObject`'s proxies send the accesses they see: the library wires it to its recorder
 * (the active trace, task and locks); tests pass an `InMemoryStateRecorder`. Neither method may
 * be slow on the disabled path: `active()` is called once per proxied operation.
 * @example trackObjectWith({ active: () => true, record: (v, a) => console.log(a, v) }, obj, 'obj')
 */
export interface StateRecorder {
  /** False when tracing is off in the active context: the proxy then does nothing but the plain operation. */
  active(): boolean;
  /**
   * Records one access. `location` holds the user's call site, captured but not yet formatted:
   * read `location.toString()` (or `.resolve()`) only when the record is kept.
   */
  record(
    variable: string,
    access: StateAccessKind,
    value: unknown,
    oldValue: unknown,
    location: SourceLocation | undefined,
  ): void;
}
