import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { StepmarkSpanProcessor } from '../processor/StepmarkSpanProcessor.js';

/**
 * What `stepmark-otel/register` started: the NodeSDK, stepmark's processor in it, and the
 * shutdown that flushes both (idempotent; never rejects).
 * @example registration()?.processor.recent(5)
 */
export interface StepmarkRegistration {
  /** The started NodeSDK (traces from OTEL_* variables, stepmark's processor beside the exporters). */
  readonly sdk: NodeSDK;
  /** Stepmark's processor: its sinks get each finished trace; `collect`/`recent` read them back. */
  readonly processor: StepmarkSpanProcessor;
  /** Flushes and stops the SDK (exporters and stepmark's sinks); repeated calls share one run. */
  shutdown(): Promise<void>;
}
