import { envValue } from './environment.js';

/** What the `STEPMARK_*` variables ask of `stepmark-otel/register`. */
export interface StepmarkEnvironment {
  /** `STEPMARK_MODE`: `on-demand` (default) or `always`. */
  mode: 'on-demand' | 'always';
  /** `STEPMARK_CONSOLE`: `true` (default, one JSON line per trace), `pretty` (indented) or `false`. */
  console: 'line' | 'pretty' | 'off';
}

/**
 * Reads `STEPMARK_MODE` and `STEPMARK_CONSOLE` (case-insensitive, empty = unset); a value outside
 * the documented ones is a RangeError naming the variable.
 * @example readStepmarkEnvironment({ STEPMARK_MODE: 'always' }) // { mode: 'always', console: 'line' }
 */
export function readStepmarkEnvironment(env: NodeJS.ProcessEnv = process.env): StepmarkEnvironment {
  const mode = envValue('STEPMARK_MODE', env)?.toLowerCase() ?? 'on-demand';
  if (mode !== 'on-demand' && mode !== 'always') {
    throw new RangeError(
      `STEPMARK_MODE must be 'on-demand' or 'always', got ${JSON.stringify(env.STEPMARK_MODE)}`,
    );
  }
  const printed = envValue('STEPMARK_CONSOLE', env)?.toLowerCase() ?? 'true';
  const console = printed === 'true' ? 'line' : printed === 'pretty' ? 'pretty' : 'off';
  if (console === 'off' && printed !== 'false') {
    throw new RangeError(
      `STEPMARK_CONSOLE must be 'true', 'pretty' or 'false', got ${JSON.stringify(env.STEPMARK_CONSOLE)}`,
    );
  }
  return { mode, console };
}
