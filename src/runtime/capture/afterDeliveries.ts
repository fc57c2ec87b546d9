/**
 * Resolves once the traces that finished before this call have been handed to the captures: a
 * processor hands them over in one microtask it queues when the trace finishes (its delivery
 * pipeline), so a microtask queued now runs after it. No timer: it works under fake timers, and
 * costs nothing to wait for.
 */
export function afterDeliveries(): Promise<void> {
  return new Promise<void>((resolve) => queueMicrotask(resolve));
}
