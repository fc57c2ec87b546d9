// Propagation: carry the decision to trace across services. Hand-written: named exports only.
export {
  BAGGAGE_KEY,
  BAGGAGE_ON,
  hasStepmarkBaggage,
  isEnabledContext,
  SIGNATURE_KEY,
} from './baggage.js';
export {
  injectMessageHeaders,
  propagationHeaders,
  type PropagationHeaders,
} from './propagationHeaders.js';
export { fetchWithPropagation, undiciPropagation, withPropagation } from './fetch.js';
export {
  StepmarkSampler,
  TRIGGERED_ATTRIBUTE,
  type SamplerLike,
  type SamplingResultLike,
} from './StepmarkSampler.js';
export { extractW3C, parseBaggage, parseTraceparent, type HeaderSource } from './w3c.js';
