/** The prefix of every line the register module prints. */
export const SAY_PREFIX = 'stepmark-otel/register: ';

/**
 * Prints one line on stderr, prefixed `stepmark-otel/register: `. The register module speaks only
 * when something is wrong (a package that fails to load, a bad STEPMARK_* value), so it writes
 * directly rather than on `diag`, which stays silent unless OTEL_LOG_LEVEL is set. Never throws.
 * @example say('@opentelemetry/sdk-node is not installed')
 */
export function say(line: string): void {
  try {
    process.stderr.write(`${SAY_PREFIX}${line.replace(/\s*\n\s*/g, ' ')}\n`);
  } catch {
    // stderr closed: nothing else to tell
  }
}

/** An error's message, for one line. */
export function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}
