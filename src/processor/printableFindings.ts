import { sanitizeValue, setKey } from '../core/sanitize.js';
import type { Trace } from '../types.js';

/** Strings in a replaced field are cut as meta strings are by default. */
const MAX_STRING_LENGTH = 2_048;

/**
 * The trace after the analyzers ran, made printable: an analyzer is the user's code, and a BigInt,
 * a cycle, a throwing getter or a nesting too deep for the stack in what it added would make every
 * consumer's `JSON.stringify` throw. Each top-level field that does not print is replaced by a
 * sanitized copy (bounded as meta is: bigints as strings, cycles as '[Circular]', 6 levels, the
 * meta budget) or left out when it cannot be read. One `JSON.stringify` when nothing is wrong.
 * Returns the trace itself when it prints, else a repaired copy and how many fields were replaced.
 */
export function printableFindings(trace: Trace): { trace: Trace; replaced: number } {
  if (prints(trace)) return { trace, replaced: 0 };
  const fields = trace as unknown as Record<string, unknown>;
  const repaired: Record<string, unknown> = {};
  let replaced = 0;
  for (const key of ownKeys(fields)) {
    let value: unknown;
    try {
      value = fields[key];
    } catch {
      replaced++;
      continue; // a getter that throws: nothing to keep
    }
    if (prints({ [key]: value })) {
      setKey(repaired, key, value);
      continue;
    }
    replaced++;
    const copy = sanitizeValue(value, MAX_STRING_LENGTH);
    if (copy !== undefined) setKey(repaired, key, copy);
  }
  replaced = Math.max(replaced, 1); // the trace did not print: at least one thing was wrong
  // A getter that answers differently on the second read: the whole trace, sanitized.
  if (!prints(repaired))
    return { trace: sanitizeValue(repaired, MAX_STRING_LENGTH) as unknown as Trace, replaced };
  return { trace: repaired as unknown as Trace, replaced };
}

function prints(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

function ownKeys(value: Record<string, unknown>): string[] {
  try {
    return Object.keys(value);
  } catch {
    return []; // a Proxy whose ownKeys trap throws
  }
}

/**
 * A deep copy of a trace that analyzers wrote to, for `collect` and `recent`: a structured clone,
 * or the JSON round trip when a finding holds what cannot be cloned (a function, a class with
 * private state) but prints.
 */
export function copyOfFindings(trace: Trace): Trace {
  try {
    return structuredClone(trace);
  } catch {
    return JSON.parse(JSON.stringify(trace)) as Trace;
  }
}
