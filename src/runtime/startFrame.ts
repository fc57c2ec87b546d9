import { context, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { RuntimeSpanKind } from '../types.js';
import { sessionOf } from '../core/activeSession.js';
import { ATTR_RUNTIME_KIND } from '../core/attributes.js';
import { registry } from '../core/registry.js';
import { labelOf } from '../core/sanitize.js';
import { Frame } from './Frame.js';
import { counters } from './runtimeStats.js';

/** Instrumentation scope of the task and region spans. */
export const RUNTIME_TRACER = 'stepmark-otel/runtime';
/** Names are cut as `stepmark.span` names are. */
const MAX_NAME_LENGTH = 2_048;

let cachedProvider: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

/**
 * The tracer of task and region spans. `trace.getTracer` builds a key and looks it up on every
 * call (about as long as starting the span's context); the global provider changes only when it
 * is replaced (`trace.disable`, then a new one), which the identity check sees.
 */
function runtimeTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (provider !== cachedProvider || cachedTracer === undefined) {
    cachedTracer = provider.getTracer(RUNTIME_TRACER);
    cachedProvider = provider;
  }
  return cachedTracer;
}

/**
 * A new task or region in the active context: a child span of the active span, marked with its
 * kind. Undefined where it would not record: no stepmark session there, a request already
 * emitted (counted as a late call), or no recording span (untraced, unsampled, or the task or
 * region around has ended, which is counted). The caller
 * has checked `registry.live` (the disabled path) and catches what this throws.
 */
export function startFrame(kind: RuntimeSpanKind, name: unknown): Frame | undefined {
  const ctx = context.active();
  const session = sessionOf(ctx);
  if (session === undefined) return undefined;
  if (session.closed) {
    // The request was emitted (a task that outlived it): as every call into it, late.
    registry.stats.lateCalls++;
    return undefined;
  }
  const parentSpan = trace.getSpan(ctx);
  if (parentSpan?.isRecording() !== true) {
    if (Frame.of(ctx)?.ended === true) counters.startsAfterEnd++;
    return undefined;
  }
  const label = labelOf(name, MAX_NAME_LENGTH);
  const span = runtimeTracer().startSpan(label, { attributes: { [ATTR_RUNTIME_KIND]: kind } }, ctx);
  return new Frame(kind, label, span, Frame.liveIn(ctx), ctx);
}
