// Issue 13: an opt-in signal starts a capture and writes it as a Chrome trace file. The signal
// itself is sent in a child process (the fixture signals itself); the outcomes that need no real
// signal (write errors, options) are driven here by emitting the event the listener waits for.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registry } from '../../../src/core/registry.js';
import {
  captureOnSignal,
  captureStats,
  type CaptureStats,
  type ChromeTrace,
} from '../../../src/runtime/index.js';
import { chromeTraceProblems } from '../../support/chromeTraceFormat.js';
import { captureDiag } from '../../support/diagCapture.js';
import { setupOtel, type Harness } from '../../support/otelHarness.js';

const script = fileURLToPath(new URL('./fixtures/signalService.ts', import.meta.url));
const run = promisify(execFile);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepmark-capture-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('captureOnSignal', () => {
  it.skipIf(process.platform === 'win32')(
    'on SIGUSR2 captures and writes a Chrome trace file; a signal while it runs is counted, not a second capture',
    async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script, dir], {
        timeout: 60_000,
      });
      const out = JSON.parse(stdout.trim()) as {
        file: string;
        stats: CaptureStats;
        counters: ReturnType<typeof captureStats>;
        listeners: number;
      };
      expect(readdirSync(dir)).toEqual([out.file.slice(dir.length + 1)]);
      expect(out.file).toMatch(/stepmark-capture-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
      expect(out.stats).toMatchObject({ traces: 4, reason: 'maxTraces' });
      expect(out.counters).toMatchObject({ captures: 1, signalsIgnored: 1, writeErrors: 0 });
      expect(out.listeners).toBe(0); // uninstalled
      const doc = JSON.parse(readFileSync(out.file, 'utf8')) as ChromeTrace;
      expect(chromeTraceProblems(doc)).toEqual([]);
      const slices = doc.traceEvents.filter((e) => e.ph === 'X').map((e) => e.name);
      expect(slices.filter((n) => n.startsWith('job-')).sort()).toEqual([
        'job-1',
        'job-2',
        'job-3',
        'job-4',
      ]);
      expect(doc.traceEvents.filter((e) => e.cat === 'log')).toHaveLength(4);
      expect(doc.otherData.capture).toMatchObject({ traces: 4 });
    },
  );

  describe('in this process', () => {
    let h: Harness;
    beforeEach(() => {
      h = setupOtel();
    });
    afterEach(async () => {
      diag.disable();
      await h.teardown();
    });

    function request(name: string): void {
      h.tracer.startActiveSpan(name, (span) => span.end());
    }

    it('a file it cannot write is counted and reported, never a crash', async () => {
      const warnings = captureDiag();
      const before = captureStats().writeErrors;
      const missing = join(dir, 'no', 'such', 'dir');
      const uninstall = captureOnSignal({ signal: 'SIGUSR2', dir: missing, maxTraces: 1 });
      try {
        process.emit('SIGUSR2', 'SIGUSR2');
        request('GET /1'); // maxTraces: ends the capture
        await vi.waitFor(() => expect(captureStats().writeErrors).toBe(before + 1));
        expect(warnings.messages.join('\n')).toContain('could not write the capture file');
        expect(registry.captures.size).toBe(0);
        // The listener is still there and works again after the failure.
        process.emit('SIGUSR2', 'SIGUSR2');
        expect(registry.captures.size).toBe(1);
        request('GET /2');
        await vi.waitFor(() => expect(captureStats().writeErrors).toBe(before + 2));
      } finally {
        uninstall();
      }
    });

    it('uninstalls its listener, once', () => {
      const count = process.listenerCount('SIGUSR2');
      const uninstall = captureOnSignal({ dir });
      expect(process.listenerCount('SIGUSR2')).toBe(count + 1);
      uninstall();
      uninstall();
      expect(process.listenerCount('SIGUSR2')).toBe(count);
    });

    it('checks its options where they are given', () => {
      expect(() => captureOnSignal({ signal: 'SIGKILL' })).toThrow(TypeError);
      expect(() => captureOnSignal({ signal: 'SIGNOPE' as never })).toThrow(
        "stepmark-otel: signal must be a signal name such as 'SIGUSR2' (not SIGKILL or SIGSTOP), got 'SIGNOPE'",
      );
      expect(() => captureOnSignal({ dir: '' })).toThrow(TypeError);
      expect(() => captureOnSignal({ durationMs: -1 })).toThrow(RangeError);
      expect(() => captureOnSignal({ onWritten: 'log' as never })).toThrow(TypeError);
    });
  });
});
