import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { envValue } from './environment.js';

/**
 * Runs `fn` with OpenTelemetry's `diag` printing at OTEL_LOG_LEVEL, as NodeSDK sets it up in its
 * constructor, so that what sdk-node says while reading the environment before that (an unknown
 * OTEL_TRACES_EXPORTER, a sampler argument out of range) is not lost; as
 * `@opentelemetry/auto-instrumentations-node/register` does, the logger is removed again so that
 * NodeSDK installs its own without a warning. Without OTEL_LOG_LEVEL, just runs `fn`.
 * @example const processors = diagFromEnv(() => spanProcessorsFromEnv())
 */
export function diagFromEnv<T>(fn: () => T): T {
  const name = envValue('OTEL_LOG_LEVEL')?.toUpperCase();
  const level =
    name !== undefined && Object.hasOwn(DiagLogLevel, name)
      ? DiagLogLevel[name as keyof typeof DiagLogLevel]
      : undefined;
  if (typeof level !== 'number') return fn();
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
  try {
    return fn();
  } finally {
    diag.disable();
  }
}
