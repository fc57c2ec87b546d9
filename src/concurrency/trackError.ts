import { SpanStatusCode } from '@opentelemetry/api';
import type { MetaInput } from '../core/record.js';
import { registry, reportInternalError } from '../core/registry.js';
import { isPlainObject } from '../core/sanitize.js';
import { trackingSite } from './tasks.js';
import { errorName, errorText } from './errorText.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * Records an error the application handled or is about to throw: an `error: <Name>` event of
 * the request (message, task, your meta) and, on the active span, the exception and error
 * status. A no-op when tracing is off.
 * @example catch (error) { trackError(error, { order_id: id }); throw error }
 */
export function trackError(error: unknown, meta?: MetaInput): void {
  if (recording.live === 0) return;
  try {
    const site = trackingSite();
    if (site === undefined) return;
    // Meta of another shape (a string, a Map) is kept whole under `meta`, as `enter`'s exit does.
    const given =
      meta === undefined
        ? {}
        : typeof meta === 'object' && meta !== null && isPlainObject(meta)
          ? meta
          : { meta };
    const recorded = { ...given, message: errorText(error), task_id: site.task.label };
    site.session.record('error', errorName(error), recorded, site.span);
    const span = site.span;
    if (span !== undefined && span.isRecording()) {
      span.recordException(error instanceof Error ? error : errorText(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
    }
  } catch (caught) {
    reportInternalError('trackError', caught);
  }
}
