import { writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import {
  functionOption,
  optionsObject,
  typeError,
  warnLikelyTypos,
} from '../../core/checkOptions.js';
import { warnOnce } from '../../core/diagnostics.js';
import { optionsError } from '../../core/options.js';
import { reportInternalError } from '../../core/registry.js';
import type { Capture, CaptureStats } from './Capture.js';
import { captureDocument, captureFileName } from './captureDocument.js';
import { checkCaptureOptions, type CaptureLimits, type CaptureOptions } from './CaptureOptions.js';
import { captureCounters } from './captureStats.js';
import { startCapture } from './startCapture.js';

/**
 * Options of `captureOnSignal`: the signal, where the files go, and the bounds of each capture
 * (as `startCapture`'s). Checked when it is installed: a wrong one throws naming it.
 * @example captureOnSignal({ signal: 'SIGUSR2', durationMs: 5_000, dir: '/var/tmp' })
 */
export interface CaptureOnSignalOptions extends CaptureOptions {
  /** The signal that starts a capture. Default `'SIGUSR2'` (`SIGUSR1` starts Node's inspector). */
  signal?: NodeJS.Signals;
  /** The directory the capture files are written to; it must exist. Default: the working directory. */
  dir?: string;
  /** Called with the path of each file written (e.g. to log it). A throw is counted, never crashes. */
  onWritten?: (file: string, stats: CaptureStats) => void;
}

/** Signals a listener cannot be installed for, or that would turn a capture into a crash. */
const REFUSED_SIGNALS: ReadonlySet<string> = new Set(['SIGKILL', 'SIGSTOP']);

const OPTION_NAMES: readonly string[] = [
  'signal',
  'dir',
  'onWritten',
  'durationMs',
  'maxTraces',
  'maxBytes',
];

interface SignalSetup {
  signal: NodeJS.Signals;
  dir: string;
  onWritten: ((file: string, stats: CaptureStats) => void) | undefined;
  limits: CaptureLimits;
}

function checkSignalOptions(options: unknown): SignalSetup {
  const o = optionsObject<Record<string, unknown>>('captureOnSignal', options) ?? {};
  const signal = o.signal ?? 'SIGUSR2';
  if (
    typeof signal !== 'string' ||
    !Object.hasOwn(constants.signals, signal) ||
    REFUSED_SIGNALS.has(signal)
  ) {
    throw typeError('signal', "a signal name such as 'SIGUSR2' (not SIGKILL or SIGSTOP)", signal);
  }
  const dir = o.dir ?? process.cwd();
  if (typeof dir !== 'string' || dir.length === 0) {
    throw typeError('dir', 'the path of an existing directory', dir);
  }
  const onWritten = functionOption<(file: string, stats: CaptureStats) => void>(
    'onWritten',
    o.onWritten,
    '(file, stats) => void',
  );
  const { signal: _s, dir: _d, onWritten: _o, ...bounds } = o;
  const limits = checkCaptureOptions(bounds);
  warnLikelyTypos('the options of captureOnSignal', o, OPTION_NAMES);
  return { signal: signal as NodeJS.Signals, dir, onWritten, limits };
}

/**
 * Writes a capture to `dir`, never throwing: a failure is counted in `writeErrors` and reported
 * on `diag`.
 */
async function writeCapture(capture: Capture, setup: SignalSetup): Promise<void> {
  try {
    await capture.ended;
    const traces = await capture.stop();
    const stats = capture.stats();
    const file = join(setup.dir, captureFileName(stats));
    try {
      // 'wx': never overwrite a file, another capture's included.
      await writeFile(file, JSON.stringify(captureDocument(traces, stats)), { flag: 'wx' });
    } catch (error) {
      captureCounters.writeErrors++;
      warnOnce('capture.write', `could not write the capture file ${file}`, error);
      return;
    }
    try {
      setup.onWritten?.(file, stats);
    } catch (error) {
      reportInternalError('captureOnSignal onWritten', error);
    }
  } catch (error) {
    captureCounters.writeErrors++;
    warnOnce('capture.write', 'could not write a capture file', error);
  }
}

/**
 * Opt-in: on `signal` (default `SIGUSR2`), records every request for a bounded time (as
 * `startCapture`, default 10 s) and writes `stepmark-capture-<start time>.json` (Chrome trace
 * format, for https://ui.perfetto.dev) into `dir` when it ends. A signal while a capture runs is
 * counted (`captureStats().signalsIgnored`), not a second capture; a file that cannot be written
 * is counted (`writeErrors`) and reported on `diag`, never a crash. Returns a function that
 * uninstalls the listener (a capture already running still ends and is written). Throws a
 * `TypeError`/`RangeError` naming a wrong option.
 * @example const uninstall = captureOnSignal({ durationMs: 5_000, dir: '/var/tmp' }); // kill -USR2 <pid>
 */
export function captureOnSignal(options?: CaptureOnSignalOptions): () => void {
  let setup: SignalSetup;
  try {
    setup = checkSignalOptions(options);
  } catch (error) {
    throw optionsError('captureOnSignal', error);
  }
  let running: Capture | undefined;
  const onSignal = (): void => {
    try {
      if (running !== undefined) {
        captureCounters.signalsIgnored++;
        return;
      }
      const capture = startCapture(setup.limits);
      running = capture;
      void writeCapture(capture, setup).finally(() => {
        running = undefined;
      });
    } catch (error) {
      reportInternalError('captureOnSignal', error);
    }
  };
  process.on(setup.signal, onSignal);
  let installed = true;
  return function uninstallCaptureOnSignal(): void {
    if (!installed) return;
    installed = false;
    process.removeListener(setup.signal, onSignal);
  };
}
