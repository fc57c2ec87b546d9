/**
 * An environment variable as OpenTelemetry reads it: trimmed, and empty meaning unset.
 * @example envValue('OTEL_TRACES_EXPORTER') // 'otlp', or undefined
 */
export function envValue(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A signal of OpenTelemetry, as it appears in the names of its environment variables. */
export type Signal = 'TRACES' | 'METRICS' | 'LOGS';

/**
 * Whether the environment says where a signal goes: `OTEL_<SIGNAL>_EXPORTER`, or an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`). NodeSDK alone would
 * default every signal to OTLP on localhost:4318; without one of these, nothing leaves the process.
 * @example exportConfigured('TRACES') // false with no OTEL_* variable set
 */
export function exportConfigured(signal: Signal, env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    envValue(`OTEL_${signal}_EXPORTER`, env) !== undefined ||
    envValue('OTEL_EXPORTER_OTLP_ENDPOINT', env) !== undefined ||
    envValue(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, env) !== undefined
  );
}

/** `OTEL_SDK_DISABLED=true`, read as NodeSDK reads it (case-insensitive). */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return envValue('OTEL_SDK_DISABLED', env)?.toLowerCase() === 'true';
}
