import { isThenable } from '../core/isThenable.js';
import { registry, reportInternalError } from '../core/registry.js';
import { errorText } from './errorText.js';
import { trackingSite, type TrackingSite } from './tasks.js';
import { whenSettled } from '../core/whenSettled.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * Runs `fn(...args)` and records its call: `<name>: entered` (with the arguments) at entry, and
 * `<name>: exited` with `duration_ms` (or `<name>: threw` with the error) when it returns or
 * its promise settles. Recorded at entry and at exit, so nested calls nest in recording order
 * and the critical path counts each millisecond once. Returns what `fn` returns, its very
 * promise included (watched while traced, which counts as handling it, as with `trackAsync`).
 * @example const total = await trackFunction('priceOrder', [order], priceOrder)
 */
export function trackFunction<A extends unknown[], R>(
  name: string,
  args: A,
  fn: (...args: A) => R,
): R {
  if (typeof fn !== 'function') throw new TypeError('trackFunction: fn must be a function');
  if (recording.live === 0) return fn(...args);
  const site = entered(name, args);
  if (site === undefined) return fn(...args);
  const start = site.session.now();
  let result: R;
  try {
    result = fn(...args);
  } catch (error) {
    exited(site, name, start, error, true);
    throw error;
  }
  if (!isThenable(result)) {
    exited(site, name, start, undefined, false);
    return result;
  }
  return whenSettled(result, 'trackFunction', (failed, error) =>
    exited(site, name, start, error, failed),
  );
}

function entered(name: string, args: readonly unknown[]): TrackingSite | undefined {
  try {
    const site = trackingSite();
    if (site === undefined) return undefined;
    const meta = { args: Array.isArray(args) ? args : [args], task_id: site.task.label };
    return site.session.record(name, 'entered', meta, site.span) === undefined ? undefined : site;
  } catch (error) {
    reportInternalError('trackFunction', error);
    return undefined;
  }
}

function exited(
  site: TrackingSite,
  name: string,
  start: number,
  error: unknown,
  threw: boolean,
): void {
  try {
    const durationMs = Math.round((site.session.now() - start) * 1000) / 1000;
    const meta: Record<string, unknown> = { duration_ms: durationMs, task_id: site.task.label };
    if (threw) meta.error = errorText(error);
    site.session.record(name, threw ? 'threw' : 'exited', meta, site.span);
  } catch (caught) {
    reportInternalError('trackFunction', caught);
  }
}
