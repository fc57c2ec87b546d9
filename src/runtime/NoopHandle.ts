import { DISPOSE } from '../core/dispose.js';
import type { RuntimeHandle } from './RuntimeHandle.js';

/** The handle of a task or region that does not record: `run` calls `fn`, the rest does nothing. */
class NoopHandle implements RuntimeHandle {
  end(): void {}

  run<T>(fn: () => T): T {
    return fn();
  }

  [DISPOSE](): void {}
}

/**
 * The one handle `startTask` and `startRegion` return where stepmark does not record: nothing
 * is allocated per call.
 */
export const NOOP_HANDLE: RuntimeHandle = Object.freeze(new NoopHandle());
