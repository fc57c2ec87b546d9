import { context, trace, type Context, type Span } from '@opentelemetry/api';
import { withStepmarkBaggage } from './baggageFlag.js';
import { sessionOf } from './activeSession.js';
import { checkContextManager, checkTracerProvider, reportMisconfiguration } from './diagnostics.js';
import type { StepmarkOptions } from './options.js';
import { registry, reportInternalError, SESSION_KEY } from './registry.js';
import { Session } from './session/Session.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

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
  // Set-up mistakes show here first, each reported once; afterwards a property read or two.
  checkContextManager();
  const span = trace.getSpan(ctx);
  if (span === undefined || !span.isRecording()) {
    checkTracerProvider();
    const session = new Session(options, true); // binds when its first recording span appears
    return { ctx: withStepmarkBaggage(ctx).setValue(SESSION_KEY, session), session, created: true };
  }
  const found = Session.forTrace(span.spanContext().traceId, span, options);
  if (found === undefined) {
    // Enabling inside a request whose trace was already emitted: nothing more can reach it.
    registry.stats.lateCalls++;
    return { ctx, session: closedSession(), created: false };
  }
  // Asked for: the trace goes to the sinks too, even if a capture opened its session.
  found.session.capturedOnly = false;
  return { ctx: withStepmarkBaggage(ctx).setValue(SESSION_KEY, found.session), ...found };
}

/**
 * The session `ctx` would record into when it is not bound to a trace yet: the next span started
 * in `ctx` starts its trace, and a registered processor's `onStart` binds the session to it.
 */
export function unboundSession(ctx: Context): Session | undefined {
  const session = ctx.getValue(SESSION_KEY) as Session | undefined;
  return session !== undefined && session.traceId === undefined ? session : undefined;
}

/**
 * After `span` started in a context whose session was unbound (see `unboundSession`): when it
 * records and the session is still unbound while processors are registered, none of them saw it
 * start, so they sit on another TracerProvider than the one recording. Reported once. Never throws.
 */
export function checkProcessorSawStart(session: Session | undefined, span: Span): void {
  try {
    if (session === undefined || session.traceId !== undefined) return;
    if (registry.processors.size === 0 || !span.isRecording()) return;
  } catch {
    return;
  }
  reportMisconfiguration(
    'processor-not-on-provider',
    'a StepmarkSpanProcessor is registered but did not see the span of a traced request start: it ' +
      'is on another TracerProvider than the one recording, so onFinish and the sinks never get ' +
      'this request (only as incomplete, after traceTtlMs); add it to the provider you register ' +
      '(NodeSDK { spanProcessors: [...] } or the provider passed to trace.setGlobalTracerProvider); ' +
      'see docs/troubleshooting.md',
  );
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
  if (recording.live === 0) return false;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx)?.resolve(trace.getSpan(ctx));
    return session !== undefined && !session.closed;
  } catch (error) {
    reportInternalError('enabled', error);
    return false;
  }
}
