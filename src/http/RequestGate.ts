import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Baggage,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { snapshotOf } from '../core/collect.js';
import { sessionOf } from '../core/activeSession.js';
import { checkProcessorSawStart, enable, unboundSession } from '../core/enable.js';
import { catchRejection } from '../core/isThenable.js';
import { optionsError } from '../core/options.js';
import { registry, reportInternalError } from '../core/registry.js';
import {
  BAGGAGE_KEY,
  BAGGAGE_ON,
  SIGNATURE_KEY,
  withOnlyStepmarkBaggage,
  withSignedStepmarkBaggage,
} from '../propagation/baggage.js';
import { flagSignerOf, type FlagSigner } from '../propagation/FlagSigner.js';
import { extractW3C, parseBaggage, parseTraceparent } from '../propagation/w3c.js';
import type { Trace } from '../types.js';
import { headOf, type RequestHead } from './RequestHead.js';
import { safely } from './safely.js';
import { checkHttpOptions, type StepmarkHttpOptions } from './StepmarkHttpOptions.js';
import { TokenBucket } from './TokenBucket.js';
import { DEFAULT_MAX_HEADER_BYTES, traceHeaderValue } from './traceHeader.js';
import { headerTrigger, type Trigger } from './triggers.js';

const TRACER = 'stepmark-otel/http';
/** Traced requests per second and burst, per process, unless `rateLimit` says otherwise. */
const DEFAULT_RATE = { perSecond: 10, burst: 20 };

/** How a traced request ended, for the span stepmark started (if it started one). */
export interface RequestOutcome {
  /** Span attributes to add, e.g. `http.response.status_code`. */
  attributes?: Attributes;
  /** Marks the span as an error. */
  error?: boolean;
  /** The matched route (`/orders/:id`): names the span `METHOD route` and sets `http.route`. */
  route?: string | undefined;
}

/** A request stepmark decided to trace: run the handler in `ctx`, then `finish` it once. */
export interface TracedRequest {
  /** The enabled context to run the handler in. */
  readonly ctx: Context;
  /** Whether the trace may be returned to this caller (authorized, header configured). */
  readonly expose: boolean;
  /** The trace so far as a safe response header value; undefined when not exposed or on error. */
  headerValue(): string | undefined;
  /** Ends stepmark's own span (if any) and hands the trace to `onFinish`. Idempotent. */
  finish(outcome?: RequestOutcome): void;
}

/** The server span stepmark started, and the HTTP method to prefix its route with. */
interface OwnSpan {
  span: Span;
  method: string | undefined;
}

/**
 * The upstream baggage carrying `stepmark=1`: the active context's (an instrumentation extracted
 * it), else the request's own `baggage` header; undefined when neither carries the flag.
 */
function flagBaggage(head: RequestHead): Baggage | undefined {
  const active = propagation.getBaggage(context.active());
  if (active?.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON) return active;
  const value = headOf(head, 'baggage');
  if (value === undefined || !value.includes(BAGGAGE_KEY)) return undefined;
  const parsed = parseBaggage(value);
  return parsed?.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON ? parsed : undefined;
}

/**
 * The trace id the request will record under: the active recording span's (an
 * instrumentation's), else its `traceparent`'s (stepmark's own span continues it). Undefined
 * when neither: stepmark's span would start a new trace, which no upstream flag can be for.
 */
function requestTraceId(head: RequestHead): string | undefined {
  const span = trace.getSpan(context.active());
  if (span?.isRecording() === true) return span.spanContext().traceId;
  return parseTraceparent(headOf(head, 'traceparent'))?.traceId;
}

/**
 * The decision every adapter shares: does this request get traced (trigger or upstream
 * baggage, authorization, the flag's signature, rate limit), may the caller read the trace,
 * which span records (the instrumentation's active server span, or one stepmark starts, never
 * both), and which baggage the request runs with (signed when `authorize` accepted a trigger).
 * @example const traced = gate.open(req, req); if (traced) context.with(traced.ctx, next); else next();
 */
export class RequestGate<R> {
  readonly #options: StepmarkHttpOptions<R>;
  readonly #trigger: Trigger<R>;
  readonly #bucket: TokenBucket | undefined;
  /** Upstream baggage needs no token: its own bucket, so it cannot starve triggered requests. */
  readonly #baggageBucket: TokenBucket | undefined;
  readonly #honorBaggage: boolean;
  readonly #maxHeader: number;
  readonly #jaegerUrl: string | undefined;
  /** Signs authorized triggers' flags and checks upstream ones; only with `authorize` set. */
  readonly #signer: FlagSigner | undefined;
  readonly #stepmarkOnly: boolean;

  /**
   * Checks every option where it is given (see `checkHttpOptions`): a wrong one, `tracerOptions`
   * included, throws a `TypeError`/`RangeError` naming it, what it got and what it accepts.
   */
  constructor(options: StepmarkHttpOptions<R> = {}) {
    try {
      const checked = checkHttpOptions<R>(options);
      // Checked even without authorize: a wrong option fails where it is given.
      const signer = flagSignerOf(checked.flagKey);
      this.#signer = checked.authorize === undefined ? undefined : signer;
      this.#stepmarkOnly = checked.forwardBaggage === 'stepmark-only';
      this.#options = checked;
      this.#trigger = checked.trigger ?? headerTrigger('x-stepmark');
      const limit = checked.rateLimit === false ? undefined : (checked.rateLimit ?? DEFAULT_RATE);
      this.#bucket = limit === undefined ? undefined : new TokenBucket(limit);
      this.#baggageBucket = limit === undefined ? undefined : new TokenBucket(limit);
      this.#honorBaggage = checked.honorBaggage !== false;
      this.#maxHeader = checked.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
      this.#jaegerUrl = checked.jaegerUrl;
    } catch (error) {
      throw optionsError('middleware', error); // a hostile option object
    }
  }

  /**
   * Decides for `req` (whose head is `head`: the request itself for Node-style frameworks).
   * Undefined means "run untraced": the common case costs one trigger call and a baggage check.
   * `spanName` and `attributes` describe the span stepmark starts when no instrumentation span
   * is active (default: the HTTP method, renamed by route at the end, and HTTP attributes).
   */
  open(
    req: R,
    head: RequestHead,
    spanName?: string,
    attributes?: Attributes,
  ): TracedRequest | undefined {
    // The untriggered path runs on every request: no closure, no allocation, just two checks.
    let explicit = false;
    let flag: Baggage | undefined;
    try {
      const fired = this.#trigger(req, head);
      explicit = fired === true;
      if (!explicit) catchRejection('trigger', fired); // an async trigger: never true, never unhandled
      if (!explicit && this.#honorBaggage) flag = flagBaggage(head);
    } catch (error) {
      reportInternalError('trigger', error);
    }
    if (!explicit && flag === undefined) {
      // A capture (`stepmark-otel/runtime`) records every request: one load when none runs.
      return registry.captures.size === 0 ? undefined : captured(head, spanName, attributes);
    }
    const options = this.#options;
    const authorize = options.authorize;
    const authorized =
      authorize !== undefined
        ? safely('authorize', () => authorize(req, head), false) === true
        : false;
    if (explicit && authorize !== undefined && !authorized) return undefined;
    const signer = this.#signer;
    // The upstream flag's signature, forwarded as it came (it is this trace's, or unchecked).
    let signature = flag?.getEntry(SIGNATURE_KEY)?.value;
    // Checked before the rate limit: forged flags must not use up the real ones' tokens.
    if (
      flag !== undefined &&
      signer !== undefined &&
      !safely('verifyFlag', () => signer.verify(requestTraceId(head), signature), false)
    ) {
      registry.stats.refusedBaggageFlags++;
      return undefined;
    }
    const bucket = explicit ? this.#bucket : this.#baggageBucket;
    if (bucket !== undefined && !bucket.take()) {
      registry.stats.rateLimitedRequests++;
      return undefined;
    }
    const expose =
      options.responseHeader !== undefined &&
      explicit &&
      (authorized ||
        (authorize === undefined && options.responseHeaderWithoutAuthorization === true));
    let ctx: Context;
    let started: OwnSpan | undefined;
    try {
      const parent = context.active();
      if (trace.getSpan(parent)?.isRecording() === true) {
        // An instrumentation's server span: record on it.
        ctx = enable(options.tracerOptions, parent);
      } else {
        // Not under an unsampled local span (an instrumentation's, dropped by its sampler):
        // stepmark's span must be a local root, its parent the caller's, if any.
        const remote = extractW3C(trace.deleteSpan(parent), head.headers);
        const enabled = enable(options.tracerOptions, remote);
        const unbound = unboundSession(enabled);
        const span = startServerSpan(head, spanName, attributes, enabled);
        checkProcessorSawStart(unbound, span);
        // An HTTP span is renamed `METHOD route` at the end; a gRPC one is named by its method.
        started = { span, method: spanName === undefined ? (head.method ?? 'HTTP') : undefined };
        ctx = trace.setSpan(enabled, span);
      }
      // Only a trigger `authorize` accepted vouches for the flag: it is signed for this trace.
      if (explicit && authorized && signer !== undefined)
        signature = signer.sign(trace.getSpanContext(ctx)?.traceId ?? '');
      ctx = this.#stepmarkOnly
        ? withOnlyStepmarkBaggage(ctx, signature)
        : signature === undefined
          ? ctx
          : withSignedStepmarkBaggage(ctx, signature);
    } catch (error) {
      reportInternalError('RequestGate.open', error);
      if (started !== undefined) endSpan(started.span, {}, undefined); // not left open
      return undefined;
    }
    // A missing context manager (nothing in the handler could record) was reported by `enable`.
    return this.#traced(req, ctx, started, expose);
  }

  #traced(req: R, ctx: Context, started: OwnSpan | undefined, expose: boolean): TracedRequest {
    const maxHeader = this.#maxHeader;
    const jaegerUrl = this.#jaegerUrl;
    const onFinish = this.#options.onFinish;
    const deliver = (t: Trace) => safely('onFinish', () => onFinish?.(t, req), undefined);
    const session = safely('session', () => sessionOf(ctx)?.resolve(trace.getSpan(ctx)), undefined);
    // With a processor, the trace it emits (every span of it) is the one to hand out: the
    // server span may end before the response (`@hono/otel`) or after it (instrumentation-http).
    let emitted: Trace | undefined;
    let emittedAlone = false;
    let responded = false;
    const listening =
      (expose || onFinish !== undefined) &&
      safely(
        'whenEmitted',
        () =>
          session?.whenEmitted((t, exclusive) => {
            emitted = t;
            emittedAlone = exclusive;
            if (responded) deliver(t);
          }) === true,
        false,
      );
    // Until the processor delivers (a microtask after the root ends), the session still holds it all.
    const current = () =>
      emitted ??
      (session === undefined ? undefined : safely('collect', () => snapshotOf(session), undefined));
    return {
      ctx,
      expose,
      headerValue() {
        // Requests in flight together with one trace id (a caller's fan-out) share a trace: its
        // caller must not read the other requests' decisions, so it gets no header then.
        const alone =
          session !== undefined &&
          session.shared !== true &&
          (emitted === undefined || emittedAlone);
        const snapshot = expose && alone ? current() : undefined;
        return snapshot === undefined
          ? undefined
          : safely(
              'responseHeader',
              () => traceHeaderValue(snapshot, maxHeader, jaegerUrl),
              undefined,
            );
      },
      finish(outcome = {}) {
        if (responded) return;
        responded = true;
        if (started !== undefined) endSpan(started.span, outcome, started.method);
        const waiting = listening && emitted === undefined && session?.awaitingEmission === true;
        if (onFinish === undefined || waiting) return; // delivered when emitted
        const snapshot = current();
        if (snapshot !== undefined) deliver(snapshot);
      },
    };
  }
}

/** stepmark's own SERVER span of a request no instrumentation started one for. */
function startServerSpan(
  head: RequestHead,
  spanName: string | undefined,
  attributes: Attributes | undefined,
  parent: Context,
): Span {
  const method = head.method ?? 'HTTP';
  return trace.getTracer(TRACER).startSpan(
    spanName ?? method,
    {
      kind: SpanKind.SERVER,
      attributes: attributes ?? {
        'http.request.method': method,
        'url.path': (head.url ?? '').split('?')[0] ?? '',
      },
    },
    parent,
  );
}

/**
 * An untriggered request while a capture runs. Under an instrumentation's span there is nothing
 * to do: processors assemble every root span during a capture. Otherwise stepmark starts its
 * server span as for a trigger, in a context that is not enabled: the request records for the
 * captures alone (no `onFinish`, no response header, no rate-limit token, no baggage flag
 * downstream, so other services do not record).
 */
function captured(
  head: RequestHead,
  spanName: string | undefined,
  attributes: Attributes | undefined,
): TracedRequest | undefined {
  try {
    const parent = context.active();
    if (trace.getSpan(parent) !== undefined) return undefined;
    const remote = extractW3C(parent, head.headers);
    const span = startServerSpan(head, spanName, attributes, remote);
    const ctx = trace.setSpan(parent, span);
    const renameAs = spanName === undefined ? (head.method ?? 'HTTP') : undefined;
    let ended = false;
    return {
      ctx,
      expose: false,
      headerValue: () => undefined,
      finish(outcome = {}) {
        if (ended) return;
        ended = true;
        endSpan(span, outcome, renameAs);
      },
    };
  } catch (error) {
    reportInternalError('RequestGate.captured', error);
    return undefined;
  }
}

function endSpan(span: Span, outcome: RequestOutcome, method: string | undefined): void {
  safely(
    'endSpan',
    () => {
      if (outcome.attributes !== undefined) span.setAttributes(outcome.attributes);
      if (outcome.route !== undefined) {
        span.setAttribute('http.route', outcome.route);
        if (method !== undefined) span.updateName(`${method} ${outcome.route}`);
      }
      if (outcome.error === true) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    undefined,
  );
}
