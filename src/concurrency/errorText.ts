import { labelOf } from '../core/sanitize.js';

/** Longest error text kept (the meta is cut further by `maxStringLength`). */
const MAX_ERROR_TEXT = 4_096;

/**
 * `Name: message` of an error, or the thrown value as a short text: never `String()` of an
 * object (a sparse array of 2²⁶ items would be joined element by element), never a getter's
 * value that is no string.
 */
export function errorText(error: unknown): string {
  try {
    if (error instanceof Error) {
      const name: unknown = error.name;
      const message: unknown = error.message;
      const text = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`;
      return text.length <= MAX_ERROR_TEXT ? text : text.slice(0, MAX_ERROR_TEXT);
    }
    return labelOf(
      error === null || typeof error !== 'object' ? error : Object.prototype.toString.call(error),
      MAX_ERROR_TEXT,
    );
  } catch {
    return '[unprintable]';
  }
}

/** The name an error is recorded under (`error: TypeError`): its `name` when a string. */
export function errorName(error: unknown): string {
  try {
    if (error instanceof Error) return typeof error.name === 'string' ? error.name : 'Error';
    return error === null ? 'null' : typeof error;
  } catch {
    return 'Error';
  }
}
