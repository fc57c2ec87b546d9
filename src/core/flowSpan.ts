import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { sessionOf } from './activeSession.js';
import { registry, reportInternalError } from './registry.js';
import { runToEnd } from './runToEnd.js';
import { labelOf } from './sanitize.js';
import type { Session } from './session/Session.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** Instrumentation scope of the spans `span()` starts. */
const TRACER_NAME = 'stepmark-otel';
/** Span names are cut as stages and actions are by default. */
const MAX_NAME_LENGTH = 2_048;
/** Attributes read from `span()`'s argument at most (the span limit would drop the rest anyway). */
const MAX_ATTRIBUTES = 128;

/**
 * Where `span` and `addTag` act: the session and the recording span of the active context, when
 * stepmark records there. Undefined elsewhere, at the cost of the other calls' disabled path.
 */
function recordingHere(): { session: Session; span: Span } | undefined {
  const ctx = context.active();
  const session = sessionOf(ctx);
  const span = trace.getSpan(ctx);
  return session !== undefined && span?.isRecording() === true ? { session, span } : undefined;
}

/** Sets each of `attributes` on `span`, shaped by the session's options (redaction, caps). */
function setTags(session: Session, span: Span, attributes: Attributes): void {
  let read = 0;
  for (const key in attributes) {
    if (read++ === MAX_ATTRIBUTES) break;
    const tag = session.tag(key, attributes[key]);
    if (tag !== undefined) span.setAttribute(tag[0], tag[1]);
  }
}

function end(child: Span, error?: unknown): void {
  try {
    if (error !== undefined) {
      child.recordException(error instanceof Error ? error : String(error));
      child.setStatus({ code: SpanStatusCode.ERROR });
    }
    child.end();
  } catch (caught) {
    reportInternalError('span end', caught);
  }
}

/**
 * Runs `fn` (sync or async) in a child span of the active one, named `name`, with `attributes`
 * as its tags, and ends it when `fn` returns or settles: FlowTracker's `StartSpan` and
 * `defer finish()`. A throw or rejection of `fn` marks the span as an error and reaches the
 * caller unchanged. Where stepmark does not record (no traced request, or no recording span),
 * it only runs `fn`. Tags are redacted and capped as meta is.
 * @example const price = await stepmark.span('pricing', () => computePrice(order), { 'order.items': 3 });
 */
export function span<T>(name: string, fn: () => T, attributes?: Attributes): T {
  if (recording.live === 0) return fn();
  let child: Span | undefined;
  let runIn;
  try {
    const here = recordingHere();
    if (here !== undefined) {
      const parent = trace.setSpan(context.active(), here.span);
      child = trace.getTracer(TRACER_NAME).startSpan(labelOf(name, MAX_NAME_LENGTH), {}, parent);
      if (attributes !== null && typeof attributes === 'object') {
        setTags(here.session, child, attributes);
      }
      runIn = trace.setSpan(parent, child);
    }
  } catch (error) {
    reportInternalError('span', error);
    if (child !== undefined) end(child);
    child = undefined;
  }
  if (child === undefined || runIn === undefined) return fn();
  const started = child;
  return runToEnd(runIn, fn, (error) => end(started, error), 'span');
}

/**
 * Sets the attribute `key` on the active span, FlowTracker's `AddTag`: redacted and capped as
 * meta is (an object or array is JSON text). Where stepmark does not record, it does nothing.
 * @example stepmark.addTag('cart.items', 3)
 */
export function addTag(key: string, value: unknown): void {
  if (recording.live === 0) return;
  try {
    const here = recordingHere();
    if (here === undefined) return;
    const tag = here.session.tag(key, value);
    if (tag !== undefined) here.span.setAttribute(tag[0], tag[1]);
  } catch (error) {
    reportInternalError('addTag', error);
  }
}
