import { sdkDisabled } from './environment.js';
import { messageOf, say } from './say.js';
import { startStepmarkOtel } from './startStepmarkOtel.js';
import type { StepmarkRegistration } from './StepmarkRegistration.js';

/**
 * Where the one registration of this process is kept: keyed by `Symbol.for`, so that the ESM and
 * the CJS build (`--require` beside an `import`), or two copies of the package, start one SDK.
 */
const SLOT = Symbol.for('stepmark-otel.register');

interface Slot {
  registration: StepmarkRegistration | undefined;
}

const holder = globalThis as { [SLOT]?: Slot };

/**
 * Starts OpenTelemetry with stepmark once per process (see `startStepmarkOtel`); later calls do
 * nothing. Nothing with OTEL_SDK_DISABLED=true. A missing `@opentelemetry/sdk-node` or a bad
 * STEPMARK_* value is one line on stderr and the application runs untraced: never throws.
 * @example registerOnce()
 */
export function registerOnce(): void {
  if (holder[SLOT] !== undefined) return;
  const slot: Slot = { registration: undefined };
  holder[SLOT] = slot;
  if (sdkDisabled()) return;
  try {
    slot.registration = startStepmarkOtel();
  } catch (error) {
    say(`${messageOf(error)}; OpenTelemetry not started`);
  }
}

/**
 * What `stepmark-otel/register` started in this process: `{ sdk, processor, shutdown }`, or
 * undefined when it did not start (OTEL_SDK_DISABLED, sdk-node missing, a bad STEPMARK_* value).
 * @example import { registration } from 'stepmark-otel/register'; registration()?.processor.recent(5)
 */
export function registration(): StepmarkRegistration | undefined {
  return holder[SLOT]?.registration;
}

/**
 * Flushes and stops what `stepmark-otel/register` started: the exporters and stepmark's sinks.
 * Idempotent (later calls share the first one's run); never rejects; resolves at once when
 * nothing was started. Await it in a SIGTERM handler of your own before `process.exit()`.
 * @example process.on('SIGTERM', () => server.close(() => void shutdown().then(() => process.exit(0))))
 */
export function shutdown(): Promise<void> {
  return registration()?.shutdown() ?? Promise.resolve();
}
