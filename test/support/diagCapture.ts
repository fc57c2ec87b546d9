import { diag, DiagLogLevel } from '@opentelemetry/api';

/** What a test diag logger received at WARN and above. */
export interface DiagCapture {
  /** Every call's arguments: [message, ...args]. */
  lines: unknown[][];
  /** Every call's message alone. */
  messages: string[];
}

/** Installs a diag logger at WARN that keeps what it receives; `diag.disable()` removes it. */
export function captureDiag(): DiagCapture {
  const captured: DiagCapture = { lines: [], messages: [] };
  const log = (...args: unknown[]) => {
    captured.lines.push(args);
    captured.messages.push(String(args[0]));
  };
  diag.setLogger(
    { warn: log, error: log, info: log, debug: log, verbose: log },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return captured;
}
