import { envValue } from './environment.js';

/** What the `STEPMARK_*` variables ask of `stepmark-otel/register`. */
export interface StepmarkEnvironment {
  /** `STEPMARK_MODE`: `on-demand` (default) or `always`. */
  mode: 'on-demand' | 'always';
  /**
   * `STEPMARK_CONSOLE`: `timeline` (default, or `true`: the CLI's timeline of each traced
   * request), `json` (one JSON line per trace), `pretty` (indented JSON) or `false` (nothing).
   */
  console: 'timeline' | 'json' | 'pretty' | 'off';
}

/** The values of `STEPMARK_CONSOLE` (a Map: no inherited key such as 'constructor' matches). */
const CONSOLE_VALUES = new Map<string, StepmarkEnvironment['console']>([
  ['timeline', 'timeline'],
  ['true', 'timeline'],
  ['json', 'json'],
  ['pretty', 'pretty'],
  ['false', 'off'],
]);

/**
 * Reads `STEPMARK_MODE` and `STEPMARK_CONSOLE` (case-insensitive, empty = unset); a value outside
 * the documented ones is a RangeError naming the variable.
 * @example readStepmarkEnvironment({ STEPMARK_MODE: 'always' }) // { mode: 'always', console: 'timeline' }
 */
export function readStepmarkEnvironment(env: NodeJS.ProcessEnv = process.env): StepmarkEnvironment {
  const mode = envValue('STEPMARK_MODE', env)?.toLowerCase() ?? 'on-demand';
  if (mode !== 'on-demand' && mode !== 'always') {
    throw new RangeError(
      `STEPMARK_MODE must be 'on-demand' or 'always', got ${JSON.stringify(env.STEPMARK_MODE)}`,
    );
  }
  const printed = envValue('STEPMARK_CONSOLE', env)?.toLowerCase() ?? 'timeline';
  const console = CONSOLE_VALUES.get(printed);
  if (console === undefined) {
    throw new RangeError(
      `STEPMARK_CONSOLE must be 'timeline', 'json', 'pretty' or 'false', got ${JSON.stringify(env.STEPMARK_CONSOLE)}`,
    );
  }
  return { mode, console };
}
