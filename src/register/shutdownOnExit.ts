import { constants } from 'node:os';

/** The signals after which the register module flushes before the process ends. */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes before the process ends, without taking the decision to end away from the application:
 * - On SIGTERM or SIGINT with no other listener (Node's default would end the process at once),
 *   runs `shutdown()` and then exits with the conventional code, 128 + the signal's number (143,
 *   130), as Node itself does. A second signal while flushing exits at once.
 * - With a listener of the application's own, that listener decides whether and when to exit:
 *   here only `flush()` runs, so that what has ended so far leaves; the application may await the
 *   register module's `shutdown()` before its `process.exit()`.
 * - On `beforeExit` (the event loop ran dry), runs `shutdown()`.
 * @example shutdownOnExit(() => sdk.shutdown(), () => processor.forceFlush())
 */
export function shutdownOnExit(shutdown: () => Promise<void>, flush: () => Promise<void>): void {
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) {
      void flush();
      return;
    }
    const code = 128 + (constants.signals[signal] ?? 0);
    if (exiting) process.exit(code);
    exiting = true;
    void shutdown().finally(() => process.exit(code));
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  process.once('beforeExit', () => void shutdown());
}
