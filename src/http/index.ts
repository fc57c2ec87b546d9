// stepmark-otel/http: turn recording on per request, safely. Hand-written: named exports only.
export { middleware, withStepmark, type StepmarkMiddleware } from './middleware.js';
export type { StepmarkHttpOptions } from './StepmarkHttpOptions.js';
export { RequestGate, type RequestOutcome, type TracedRequest } from './RequestGate.js';
export type { RequestHead } from './RequestHead.js';
export { samplingAttributes } from './samplingAttributes.js';
export { traceNodeRequest } from './traceNodeRequest.js';
export { allTriggers, anyTrigger, headerTrigger, queryTrigger, type Trigger } from './triggers.js';
export { tokenAuthorizer } from './tokenAuthorizer.js';
export { TokenBucket } from './TokenBucket.js';
export { DEFAULT_MAX_HEADER_BYTES, traceHeaderValue } from './traceHeader.js';
