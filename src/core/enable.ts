import { context, trace, type Context } from '@opentelemetry/api';
import { withStepmarkBaggage } from './baggageFlag.js';
import { sessionOf } from './activeSession.js';
import type { StepmarkOptions } from './options.js';
import { registry, reportInternalError, SESSION_KEY } from './registry.js';
import { Session } from './session/Session.js';

/** A context in which stepmark records, and whether its session is new. */
export interface Enabled {
  ctx: Context;
  session: Session;
  created: boolean;
}

/**
 * Enables `ctx`, reusing the open session already there or already recording its trace (so that
 * nested triggers and concurrent branches of one request share one trace).
 */
export function enableContext(options: StepmarkOptions | undefined, ctx: Context): Enabled {
  const existing = ctx.getValue(SESSION_KEY) as Session | undefined;
  if (existing !== undefined && !existing.closed) return { ctx, session: existing, created: false };
  const span = trace.getSpan(ctx);
  if (span === undefined || !span.isRecording()) {
    const session = new Session(options, true); // binds when its first recording span appears
    return { ctx: withStepmarkBaggage(ctx).setValue(SESSION_KEY, session), session, created: true };
  }
  const found = Session.forTrace(span.spanContext().traceId, span, options);
  if (found === undefined) {
    // Enabling inside a request whose trace was already emitted: nothing more can reach it.
    registry.stats.lateCalls++;
    return { ctx, session: closedSession(), created: false };
  }
  return { ctx: withStepmarkBaggage(ctx).setValue(SESSION_KEY, found.session), ...found };
}

/** What a refused enable reports as its session (the context itself is returned unchanged). */
function closedSession(): Session {
  const session = new Session();
  session.close();
  return session;
}

/**
 * A context in which stepmark records (Go's `trace.New`). Run code in it with `context.with`.
 * Enabling a context that already records returns it unchanged (the first options win).
 * @example context.with(stepmark.enable({ traceMeta: { user: 'u1' } }), handle)
 */
export function enable(options?: StepmarkOptions, ctx: Context = context.active()): Context {
  try {
    return enableContext(options, ctx).ctx;
  } catch (error) {
    reportInternalError('enable', error);
    return ctx;
  }
}

/**
 * Whether stepmark records in the active context. Default false outside any traced request.
 * @example if (stepmark.enabled()) stepmark.record('cache', 'miss', expensiveDetails())
 */
export function enabled(): boolean {
  if (registry.live === 0) return false;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx)?.resolve(trace.getSpan(ctx));
    return session !== undefined && !session.closed;
  } catch (error) {
    reportInternalError('enabled', error);
    return false;
  }
}
