import { trace, type Context } from '@opentelemetry/api';
import { onlyCapturesRecordAlways, registry, SESSION_KEY } from './registry.js';
import { Session } from './session/Session.js';

/**
 * In 'always' mode (or while a capture runs): the session of the recording span's trace, opened
 * on first use. None for a span that outlives its emitted trace (its calls would otherwise open a
 * second fragment). Opened while only captures make recording happen, it is theirs alone.
 */
function alwaysSession(ctx: Context): Session | undefined {
  const span = trace.getSpan(ctx);
  if (span === undefined || !span.isRecording()) return undefined;
  // No processor to hand the trace to (a capture outlived them all): nothing to open it for.
  if (registry.processors.size === 0) return undefined;
  const found = Session.forTrace(span.spanContext().traceId, span, registry.alwaysOptions);
  if (found === undefined) registry.stats.lateCalls++;
  else if (found.created && onlyCapturesRecordAlways()) found.session.capturedOnly = true;
  return found?.session;
}

/** The session recording in `ctx`, or undefined when stepmark is off there. */
export function sessionOf(ctx: Context): Session | undefined {
  const session = ctx.getValue(SESSION_KEY) as Session | undefined;
  if (session !== undefined) return session;
  return registry.always > 0 ? alwaysSession(ctx) : undefined;
}
