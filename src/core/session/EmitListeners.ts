import type { Trace } from '../../types.js';

/**
 * Gets the emitted trace, and whether it holds this session's records alone (no other session
 * or joined request of the trace), i.e. whether it may be shown to this session's caller.
 */
export type EmitListener = (trace: Trace, exclusive: boolean) => void;

/** Listeners of one session's emitted trace (one per HTTP adapter layer that enabled it). */
const MAX_EMIT_LISTENERS = 16;

/** Who waits for the trace a processor emits for one session, and whether it was emitted. */
export class EmitListeners {
  /** A processor holds the session's trace (it will be emitted). */
  held = false;
  emitted = false;
  #listeners: EmitListener[] | undefined = undefined;

  /** Adds a listener, once; false when refused: past 16, or already emitted. */
  add(listener: EmitListener): boolean {
    if (this.emitted) return false;
    this.#listeners ??= [];
    if (this.#listeners.length >= MAX_EMIT_LISTENERS) return false;
    this.#listeners.push(listener);
    return true;
  }

  /** Whether a listener waits. */
  get waiting(): boolean {
    return this.#listeners !== undefined && this.#listeners.length > 0;
  }

  /** Marks the trace emitted and hands over the listeners. */
  take(): readonly EmitListener[] {
    this.emitted = true;
    const listeners = this.#listeners ?? NONE;
    this.#listeners = undefined;
    return listeners;
  }
}

const NONE: readonly EmitListener[] = [];
