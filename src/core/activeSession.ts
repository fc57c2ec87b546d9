import { trace, type Context } from '@opentelemetry/api';
import { registry, SESSION_KEY } from './registry.js';
import { Session } from './Session.js';

/** In 'always' mode: the session of the recording span's trace, opened on first use. */
function alwaysSession(ctx: Context): Session | undefined {
  const span = trace.getSpan(ctx);
  if (span === undefined || !span.isRecording()) return undefined;
  const traceId = span.spanContext().traceId;
  const open = registry.byTrace.get(traceId)?.find((s) => !s.closed);
  if (open !== undefined) return open;
  const session = new Session(registry.alwaysOptions);
  session.bind(traceId);
  return session;
}

/** The session recording in `ctx`, or undefined when stepmark is off there. */
export function sessionOf(ctx: Context): Session | undefined {
  const session = ctx.getValue(SESSION_KEY) as Session | undefined;
  if (session !== undefined) return session;
  return registry.always > 0 ? alwaysSession(ctx) : undefined;
}
