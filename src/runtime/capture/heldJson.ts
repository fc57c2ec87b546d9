import { reportInternalError } from '../../core/registry.js';
import type { Trace } from '../../types.js';

// Captures and flight recorders hold finished traces as JSON text: a copy no consumer can change
// afterwards, and a size in bytes to bound them by.

/** A trace as held: its JSON and that JSON's size in UTF-8 bytes. */
export interface HeldJson {
  json: string;
  bytes: number;
}

/**
 * `trace` as JSON to hold, or undefined when it cannot be written (reported on `diag` as
 * `where`; the caller counts it dropped). Never throws.
 */
export function holdJson(trace: Trace, where: string): HeldJson | undefined {
  try {
    const json = JSON.stringify(trace);
    return { json, bytes: Buffer.byteLength(json) };
  } catch (error) {
    reportInternalError(where, error);
    return undefined;
  }
}

/** The traces of `held`, as new objects, in order. Never throws. */
export function tracesOf(held: Iterable<string>, where: string): Trace[] {
  const traces: Trace[] = [];
  for (const json of held) {
    try {
      traces.push(JSON.parse(json) as Trace);
    } catch (error) {
      reportInternalError(where, error); // cannot happen: written by JSON.stringify
    }
  }
  return traces;
}
