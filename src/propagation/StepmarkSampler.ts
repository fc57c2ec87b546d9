import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { hasStepmarkBaggage, isEnabledContext } from './baggage.js';

/** An OTel `SamplingResult`, typed structurally (no SDK import at runtime). */
export interface SamplingResultLike {
  decision: number;
  attributes?: Attributes;
}

/** An OTel `Sampler`, typed structurally. */
export interface SamplerLike {
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResultLike;
  toString(): string;
}

/** SamplingDecision.RECORD_AND_SAMPLED of the SDK. */
const RECORD_AND_SAMPLED = 2;

/**
 * A span attribute, set at span start, that marks a request asking for stepmark (see
 * `samplingAttributes` in `stepmark-otel/http`): the sampler samples its span.
 */
export const TRIGGERED_ATTRIBUTE = 'stepmark.triggered';

/**
 * Wraps the configured sampler so that a triggered request is always sampled: a span whose
 * parent context records stepmark, or carries the baggage `stepmark=1` from upstream, or whose
 * start attributes say `stepmark.triggered` (an instrumentation's server span, started before
 * any middleware ran), is recorded and sampled; every other span is left to the wrapped sampler.
 * @example new NodeSDK({ sampler: new StepmarkSampler(new TraceIdRatioBasedSampler(0.01)) })
 */
export class StepmarkSampler implements SamplerLike {
  readonly #delegate: SamplerLike;

  constructor(delegate: SamplerLike) {
    this.#delegate = delegate;
  }

  /** Samples triggered requests; defers to the wrapped sampler otherwise. */
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResultLike {
    if (
      isEnabledContext(context) ||
      hasStepmarkBaggage(context) ||
      attributes[TRIGGERED_ATTRIBUTE] === true
    )
      return { decision: RECORD_AND_SAMPLED };
    return this.#delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  /** Names the wrapped sampler, as SDK samplers do. */
  toString(): string {
    return `StepmarkSampler{${this.#delegate.toString()}}`;
  }
}
