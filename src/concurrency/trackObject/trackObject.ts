import { registry, reportInternalError } from '../../core/registry.js';
import type { StateAccessKind } from '../../types.js';
import { recordAccess } from '../recordAccess.js';
import { trackingSite } from '../tasks.js';
import type { SourceLocation } from './SourceLocation.js';
import type { StateRecorder } from './StateRecorder.js';
import { trackObjectWith } from './trackObjectWith.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** Records what a proxy sees in the active request, as `trackStateChange` does. */
const requestRecorder: StateRecorder = {
  // Called on every proxied operation: one load while nothing is traced.
  active: () => recording.live !== 0,
  record(
    variable: string,
    access: StateAccessKind,
    value: unknown,
    oldValue: unknown,
    location: SourceLocation | undefined,
  ): void {
    try {
      const site = trackingSite();
      if (site === undefined) return;
      const where = site.session.stateLocations ? location : undefined;
      recordAccess(site.session, site.span, site.task, variable, access, value, oldValue, where);
    } catch (error) {
      reportInternalError('trackObject', error);
    }
  },
};

/**
 * A Proxy of `obj` that records the reads, writes and deletes of its nested paths
 * (`accounts.alice.balance`, `items[3]`, `sessions["u1"]`) in the active request, as
 * `trackStateChange` would, with your source location. Plain objects, arrays, `Map` and `Set`
 * are followed; `p.a === p.a` holds; your data never holds our proxies. Costs a trap per
 * operation when tracing is off, and nothing more. See docs/concurrency.md for what is recorded.
 * @example const accounts = trackObject({ alice: { balance: 100 } }, 'accounts')
 */
export function trackObject<T extends object>(obj: T, basePath: string): T {
  return trackObjectWith(requestRecorder, obj, basePath);
}
