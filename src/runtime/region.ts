import { registry, reportInternalError } from '../core/registry.js';
import type { Frame } from './Frame.js';
import { NOOP_HANDLE } from './NoopHandle.js';
import type { Region } from './RuntimeHandle.js';
import { startFrame } from './startFrame.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

function newRegion(name: string): Frame | undefined {
  try {
    return startFrame('region', name);
  } catch (error) {
    reportInternalError('region', error);
    return undefined;
  }
}

/**
 * Runs `fn` (sync or async) as a region, a phase of the current task: a child span of the active
 * one, of kind `region`, ended when `fn` returns or settles (or, earlier, with the task or region
 * it was started in). Returns what `fn` returns; a throw or rejection marks the span as an error
 * and reaches the caller unchanged. Where stepmark does not record, it only calls `fn`.
 * @example const total = await region('pricing', () => priceOrder(order));
 */
export function region<T>(name: string, fn: () => T): T {
  // Disabled path: one load and the call; the rest lives apart, so that this inlines whole.
  return recording.live === 0 ? fn() : tracedRegion(name, fn);
}

function tracedRegion<T>(name: string, fn: () => T): T {
  // Not a function: the call below throws as it does untraced, and no span is left open.
  const frame = typeof fn === 'function' ? newRegion(name) : undefined;
  return frame === undefined ? fn() : frame.runToEnd(fn, 'region');
}

/**
 * Starts a region that lasts until `end()` (or the end of a `using` block); run work inside it
 * with `run(fn)`. Like OpenTelemetry's `startSpan`, it does not change the active span: what runs
 * outside `run` is recorded where it would have been. Where stepmark does not record, it returns
 * one shared no-op handle.
 * @example using r = startRegion('validate'); r.run(() => validate(order));
 */
export function startRegion(name: string): Region {
  if (recording.live === 0) return NOOP_HANDLE;
  return newRegion(name) ?? NOOP_HANDLE;
}
