// stepmark-otel/messaging: carry traces and the stepmark flag through message queues.
// Hand-written: named exports only.
export { withMessageContext, type MessageContextOptions } from './withMessageContext.js';
export { tracedProducer, type TraceableProducer } from './tracedProducer.js';
export { MessageGate, type MessageGateOptions } from './MessageGate.js';
export {
  headersOf,
  messageHeaderGetter,
  type MessageHeaders,
  type MessageHeaderValue,
  type MessageLike,
} from './MessageHeaders.js';
export { messagingStats, type MessagingStats } from './messagingStats.js';
export {
  injectMessageHeaders,
  type PropagationHeaders,
} from '../propagation/propagationHeaders.js';
