import type { SourceLocation } from './SourceLocation.js';
import type { StateAccessKind } from '../../types.js';
import type { StateRecorder } from './StateRecorder.js';

/** `recorder.active()`, false when it throws: tracing never throws into user code. */
export function isActive(recorder: StateRecorder): boolean {
  try {
    return recorder.active();
  } catch {
    return false;
  }
}

/** `recorder.record(...)`, swallowing what it throws: tracing never throws into user code. */
export function emit(
  recorder: StateRecorder,
  variable: string,
  access: StateAccessKind,
  value: unknown,
  oldValue: unknown,
  location: SourceLocation,
): void {
  try {
    recorder.record(variable, access, value, oldValue, location);
  } catch {
    // The recorder's failure is its own; the user's operation has already happened.
  }
}
