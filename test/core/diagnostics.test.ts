import { diag, DiagLogLevel } from '@opentelemetry/api';
import { captureDiag } from '../support/diagCapture.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  flushWarnings,
  MAX_WARNING_KINDS,
  resetWarnings,
  warnOnce,
} from '../../src/core/diagnostics.js';

/** What the diag logger received at WARN: [message, ...args]. */
let lines: unknown[][] = [];

beforeEach(() => {
  resetWarnings();
  lines = captureDiag().lines;
});

afterEach(() => {
  vi.useRealTimers();
  diag.disable();
  resetWarnings();
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('diagnostics', () => {
  describe('warnOnce', () => {
    it('logs the first occurrence at once, then one summary line with the count', () => {
      vi.useFakeTimers({ now: new Date('2026-01-02T03:04:05.000Z') });
      const error = new Error('disk full');
      for (let i = 0; i < 5; i++) warnOnce('sink.error:file', 'sink "file" failed', error);
      expect(lines).toEqual([['stepmark-otel: sink "file" failed', error]]);

      vi.advanceTimersByTime(59_999);
      expect(lines).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(lines).toEqual([
        ['stepmark-otel: sink "file" failed', error],
        ['stepmark-otel: sink "file" failed (4 more times since 2026-01-02T03:04:05.000Z)', error],
      ]);

      vi.advanceTimersByTime(600_000); // nothing new: no further line
      expect(lines).toHaveLength(2);
    });

    it('sums up each later window on its own, at most once per interval', () => {
      vi.useFakeTimers({ now: new Date('2026-01-02T00:00:00.000Z') });
      warnOnce('k', 'dropped');
      warnOnce('k', 'dropped');
      vi.advanceTimersByTime(60_000);
      warnOnce('k', 'dropped');
      warnOnce('k', 'dropped');
      warnOnce('k', 'dropped');
      vi.advanceTimersByTime(30_000);
      expect(lines).toHaveLength(2);
      vi.advanceTimersByTime(30_000);
      expect(lines.map((l) => l[0])).toEqual([
        'stepmark-otel: dropped',
        'stepmark-otel: dropped (1 more times since 2026-01-02T00:00:00.000Z)',
        'stepmark-otel: dropped (3 more times since 2026-01-02T00:01:00.000Z)',
      ]);
    });

    it('keeps kinds apart: each kind is reported once at first', () => {
      warnOnce('a', 'first kind');
      warnOnce('b', 'second kind');
      warnOnce('a', 'first kind');
      expect(lines.map((l) => l[0])).toEqual([
        'stepmark-otel: first kind',
        'stepmark-otel: second kind',
      ]);
    });

    it('counts kinds past the cap together under one overflow kind', () => {
      for (let i = 0; i < MAX_WARNING_KINDS + 50; i++) warnOnce(`kind-${i}`, `warning ${i}`);
      expect(lines).toHaveLength(MAX_WARNING_KINDS + 1);
      expect(lines.at(-1)?.[0]).toBe(
        `stepmark-otel: over ${MAX_WARNING_KINDS} kinds of warning, the rest counted here; first: warning ${MAX_WARNING_KINDS}`,
      );
      flushWarnings();
      expect(lines.at(-1)?.[0]).toMatch(/first: warning 256 \(49 more times since .+\)$/);
    });

    it('never throws when the diag logger throws', () => {
      const boom = () => {
        throw new Error('broken logger');
      };
      diag.setLogger(
        { warn: boom, error: boom, info: boom, debug: boom, verbose: boom },
        { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
      );
      expect(() => {
        warnOnce('x', 'first');
        warnOnce('x', 'again');
        flushWarnings();
      }).not.toThrow();
    });

    it('does not keep the process alive while a summary is pending', () => {
      const before = timers();
      warnOnce('pending', 'first');
      warnOnce('pending', 'again'); // arms the summary timer
      expect(timers()).toBe(before);
    });
  });

  describe('flushWarnings', () => {
    it('prints every pending count now, then nothing until new repeats', () => {
      warnOnce('a', 'sink a failed');
      warnOnce('a', 'sink a failed');
      warnOnce('b', 'sink b timed out');
      warnOnce('b', 'sink b timed out');
      warnOnce('b', 'sink b timed out');
      warnOnce('c', 'seen once');
      lines.length = 0;
      flushWarnings();
      expect(lines.map((l) => l[0])).toEqual([
        expect.stringMatching(/^stepmark-otel: sink a failed \(1 more times since .+\)$/),
        expect.stringMatching(/^stepmark-otel: sink b timed out \(2 more times since .+\)$/),
      ]);
      flushWarnings();
      expect(lines).toHaveLength(2);
    });
  });
});
