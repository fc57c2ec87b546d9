import { terminalText as safe } from './terminalText.js';

/** What a run printed and its exit code; `run` never exits the process itself (tests call it). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A failed run. The message may echo arguments, a file or what Jaeger answered, so it is escaped
 * (`terminalText`); `after` is the CLI's own text (the usage), printed as it is.
 */
export function failure(code: number, message: string, after = ''): CliResult {
  return { code, stdout: '', stderr: `${safe(message)}\n${after}` };
}

/**
 * An unexpected error with its stack, exit 1. The first line (name and message) may hold
 * anything, a line break too, so it is escaped whole; the frames below it keep their own lines,
 * each escaped.
 */
export function unexpectedError(error: unknown): CliResult {
  const head = String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const text =
    stack === undefined || !stack.startsWith(head)
      ? safe(stack ?? head)
      : [safe(head), ...stack.slice(head.length).split('\n').slice(1).map(safe)].join('\n');
  return { code: 1, stdout: '', stderr: `unexpected error: ${text}\n` };
}
