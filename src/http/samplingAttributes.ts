import type { IncomingMessage } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import { TRIGGERED_ATTRIBUTE } from '../propagation/StepmarkSampler.js';
import type { RequestHead } from './RequestHead.js';
import { safely } from './safely.js';
import { headerTrigger, type Trigger } from './triggers.js';

/**
 * A `startIncomingSpanHook` for `@opentelemetry/instrumentation-http`: it marks the server span
 * of a triggered (and authorized) request with `stepmark.triggered` as the span starts, so that
 * `StepmarkSampler` samples it even when your sampler would drop it. Without it, such a request
 * gets a server span of stepmark's own in a trace of its own, and instrumentation-express's
 * handler spans stay in the dropped one. Use the trigger and authorizer of your middleware.
 * @example new HttpInstrumentation({ startIncomingSpanHook: samplingAttributes({ authorize: tokenAuthorizer() }) })
 */
export function samplingAttributes(
  options: {
    trigger?: Trigger<IncomingMessage>;
    authorize?: (req: IncomingMessage, head: RequestHead) => boolean;
  } = {},
): (req: IncomingMessage) => Attributes {
  const trigger = options.trigger ?? headerTrigger('x-stepmark');
  const authorize = options.authorize;
  return function stepmarkSamplingAttributes(req) {
    const asked = safely(
      'samplingAttributes',
      () => trigger(req, req) && (authorize === undefined || authorize(req, req)),
      false,
    );
    return asked ? { [TRIGGERED_ATTRIBUTE]: true } : {};
  };
}
