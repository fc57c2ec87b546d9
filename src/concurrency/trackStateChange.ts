import { registry, reportInternalError } from '../core/registry.js';
import { recordAccess } from './recordAccess.js';
import { captureLocation } from './trackObject/SourceLocation.js';
import { trackingSite } from './tasks.js';

/**
 * Records a read or write of a named variable by the running task: a span event, an entry of
 * the trace's `state`, and what a `RaceDetector` orders and compares. For a read, `newValue` is
 * the value read. A no-op when tracing is off (one load and a return).
 * @example trackStateChange('accounts.alice.balance', 100, 50, 'write')
 */
export function trackStateChange(
  variable: string,
  oldValue: unknown,
  newValue: unknown,
  access: 'read' | 'write',
): void {
  if (registry.live === 0) return;
  try {
    const site = trackingSite();
    if (site === undefined) return;
    if (
      (access !== 'read' && access !== 'write') ||
      typeof variable !== 'string' ||
      variable === ''
    ) {
      site.session.draft.counters.invalidCalls++;
      return;
    }
    const location = site.session.stateLocations ? captureLocation(trackStateChange) : undefined;
    recordAccess(site, variable, access, newValue, oldValue, location);
  } catch (error) {
    reportInternalError('trackStateChange', error);
  }
}
