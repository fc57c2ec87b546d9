import type { NodeSDK } from '@opentelemetry/sdk-node';
import { ConsoleSink } from '../export/ConsoleSink.js';
import { StepmarkSampler, type SamplerLike } from '../propagation/StepmarkSampler.js';
import { StepmarkSpanProcessor } from '../processor/StepmarkSpanProcessor.js';
import { diagFromEnv } from './diagFromEnv.js';
import { envValue, exportConfigured } from './environment.js';
import { loadInstrumentations } from './loadInstrumentations.js';
import { messageOf, say } from './say.js';
import { loadSdkNode, type SdkNode, type SdkSampler, type SdkSpanProcessor } from './sdkNode.js';
import { shutdownOnExit } from './shutdownOnExit.js';
import type { StepmarkRegistration } from './StepmarkRegistration.js';
import { readStepmarkEnvironment } from './stepmarkEnvironment.js';

/**
 * The exporters' processors, as NodeSDK would build them from OTEL_TRACES_EXPORTER & co., when
 * the environment says where traces go; none otherwise (NodeSDK alone would send them to
 * localhost:4318).
 */
function exportProcessors(sdkNode: SdkNode): SdkSpanProcessor[] {
  if (!exportConfigured('TRACES')) return [];
  if (sdkNode.spanProcessorsFromEnv === undefined) {
    say(
      'this @opentelemetry/sdk-node does not expose its OTEL_TRACES_EXPORTER set-up; spans are not exported',
    );
    return [];
  }
  return sdkNode.spanProcessorsFromEnv();
}

/**
 * OTEL_TRACES_SAMPLER's sampler, wrapped in StepmarkSampler so that a triggered request is
 * sampled even when the ratio would drop it; undefined when unset (NodeSDK's default then).
 */
function sampler(sdkNode: SdkNode): SdkSampler | undefined {
  const configured = sdkNode.samplerFromEnv?.();
  if (configured === undefined) return undefined;
  return new StepmarkSampler(configured as SamplerLike) as unknown as SdkSampler;
}

/**
 * Starts OpenTelemetry as `stepmark-otel/register` does: a NodeSDK configured by the standard
 * OTEL_* variables (read by sdk-node itself), a `StepmarkSpanProcessor` beside the exporters'
 * processors (console sink by default; STEPMARK_MODE, STEPMARK_CONSOLE), the
 * auto-instrumentations when installed, and a flush on SIGTERM, SIGINT and `beforeExit`. With no
 * exporter configured, only the console sink gets anything: no signal leaves the process.
 * @throws Error when `@opentelemetry/sdk-node` is missing; RangeError naming a bad STEPMARK_* value.
 * @example const { processor, shutdown } = startStepmarkOtel();
 */
export function startStepmarkOtel(): StepmarkRegistration {
  const stepmark = readStepmarkEnvironment();
  const sdkNode = loadSdkNode();
  const processor = new StepmarkSpanProcessor({
    mode: stepmark.mode,
    sinks: stepmark.console === 'off' ? [] : [new ConsoleSink({ format: stepmark.console })],
  });
  const [exporters, traceSampler] = diagFromEnv(
    () => [exportProcessors(sdkNode), sampler(sdkNode)] as const,
  );
  let sdk: NodeSDK;
  try {
    const { instrumentations, resourceDetectorsFromEnv } = loadInstrumentations();
    // Set, OTEL_NODE_RESOURCE_DETECTORS is read as the auto-instrumentations' register file reads
    // it (cloud detectors included); unset, NodeSDK's default applies (env, process, host: no
    // network call, where that file's default queries the cloud providers' metadata endpoints).
    const resourceDetectors =
      envValue('OTEL_NODE_RESOURCE_DETECTORS') === undefined
        ? undefined
        : diagFromEnv(() => resourceDetectorsFromEnv?.());
    sdk = new sdkNode.NodeSDK({
      spanProcessors: [processor, ...exporters],
      instrumentations,
      ...(resourceDetectors === undefined ? {} : { resourceDetectors }),
      ...(traceSampler === undefined ? {} : { sampler: traceSampler }),
      // An empty list, where the option left out would make NodeSDK export the signal by OTLP.
      ...(exportConfigured('METRICS') ? {} : { metricReaders: [] }),
      ...(exportConfigured('LOGS') ? {} : { logRecordProcessors: [] }),
    });
    sdk.start();
  } catch (error) {
    // Not started: release what was made for it (the processor's sweeper, 'always' mode).
    for (const p of [processor, ...exporters]) {
      void Promise.resolve()
        .then(() => p.shutdown())
        .catch(() => undefined);
    }
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopped ??= (async () => {
      try {
        await sdk.shutdown();
      } catch (error) {
        say(`shutdown failed (${messageOf(error)})`);
      }
    })());
  const flush = async (): Promise<void> => {
    await Promise.allSettled([processor, ...exporters].map(async (p) => p.forceFlush()));
  };
  shutdownOnExit(shutdown, flush);
  return { sdk, processor, shutdown };
}
