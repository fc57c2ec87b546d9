// stepmark-otel/http: turn recording on per request, safely. Hand-written: named exports only.
export {
  middleware,
  withStepmark,
  type StepmarkHttpOptions,
  type StepmarkMiddleware,
} from './middleware.js';
export { allTriggers, anyTrigger, headerTrigger, queryTrigger, type Trigger } from './triggers.js';
export { tokenAuthorizer } from './tokenAuthorizer.js';
export { TokenBucket } from './TokenBucket.js';
export { DEFAULT_MAX_HEADER_BYTES, traceHeaderValue } from './traceHeader.js';
