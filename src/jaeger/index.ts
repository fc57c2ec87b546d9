// stepmark-otel/jaeger: read decisions back from Jaeger. Hand-written: named exports only.
export {
  DEFAULT_JAEGER_URL,
  JaegerClient,
  JaegerHttpError,
  JaegerUnreachableError,
  TraceNotFoundError,
  type FindTracesQuery,
} from './JaegerClient.js';
export { entityHistory, type EntityEvent, type EntityHistory } from './entityHistory.js';
export { rebuildTraces, recordingOrder } from './rebuildTrace.js';
export type { OtlpTracesData } from './otlpJson.js';
