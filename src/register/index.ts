// stepmark-otel/register: `node --import stepmark-otel/register app.js` (or `--require`) starts
// OpenTelemetry with stepmark in it, from the OTEL_* variables. Hand-written: named exports only.
import { registerOnce } from './registerOnce.js';

registerOnce();

export { registration, shutdown } from './registerOnce.js';
export type { StepmarkRegistration } from './StepmarkRegistration.js';
