// Issue 10: the processor's options are checked where they are given, in its constructor.
import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { resetWarnings } from '../../src/core/diagnostics.js';
import { captureDiag } from '../support/diagCapture.js';

type Row = [label: string, options: unknown, error: typeof TypeError, message: string];

const USE_CONSOLE_SINK =
  "use sinks: [new ConsoleSink()] (import { ConsoleSink } from 'stepmark-otel/export')";

const wrong: Row[] = [
  [
    "mode: 'allways'",
    { mode: 'allways' },
    TypeError,
    "mode must be 'on-demand' or 'always', got 'allways'",
  ],
  [
    "exporters: 'console'",
    { exporters: 'console' },
    TypeError,
    `exporters must be an array of TraceSinks, got 'console': ${USE_CONSOLE_SINK}`,
  ],
  [
    "sinks: 'console'",
    { sinks: 'console' },
    TypeError,
    `sinks must be an array of TraceSinks, got 'console': ${USE_CONSOLE_SINK}`,
  ],
  [
    'sinks: [{}]',
    { sinks: [{}] },
    TypeError,
    'sinks[0] must be a TraceSink (an object with an export(trace) method), got an object',
  ],
  [
    "onFinish: 'log'",
    { onFinish: 'log' },
    TypeError,
    "onFinish must be a function (trace) => void, got 'log': use (trace) => console.log(JSON.stringify(trace)), or sinks: [new ConsoleSink()]",
  ],
  ['maxTraces: -1', { maxTraces: -1 }, RangeError, 'maxTraces must be a positive integer, got -1'],
  ['maxTraces: 0', { maxTraces: 0 }, RangeError, 'maxTraces must be a positive integer, got 0'],
  [
    "traceTtlMs: 'x'",
    { traceTtlMs: 'x' },
    TypeError,
    "traceTtlMs must be a positive integer, got 'x'",
  ],
  ['traceTtlMs: 0', { traceTtlMs: 0 }, RangeError, 'traceTtlMs must be a positive integer, got 0'],
  [
    'exportTimeoutMs: 0',
    { exportTimeoutMs: 0 },
    RangeError,
    'exportTimeoutMs must be a positive integer, got 0',
  ],
  [
    'exportTimeoutMs: 1.5',
    { exportTimeoutMs: 1.5 },
    RangeError,
    'exportTimeoutMs must be a positive integer, got 1.5',
  ],
  [
    'maxPendingExports: 0',
    { maxPendingExports: 0 },
    RangeError,
    'maxPendingExports must be a positive integer, got 0',
  ],
  [
    'maxSpans: -1',
    { maxSpans: -1 },
    RangeError,
    'maxSpans must be a non-negative integer (0 = no limit), got -1',
  ],
  [
    'recentTraces: -1',
    { recentTraces: -1 },
    RangeError,
    'recentTraces must be an integer from 0 (keep none) to 1,000,000, got -1',
  ],
  [
    'recentTraces: 2^53',
    { recentTraces: 2 ** 53 },
    RangeError,
    'recentTraces must be an integer from 0 (keep none) to 1,000,000, got 9007199254740992',
  ],
  ['analyzers: [null]', { analyzers: [null] }, TypeError, 'analyzers[0] must be a TraceAnalyzer'],
  [
    "analyzers: [{ onRecord: 'x' }]",
    { analyzers: [{ onRecord: 'x' }] },
    TypeError,
    "analyzers[0].onRecord must be a function, got 'x'",
  ],
  [
    'writer: {}',
    { writer: {} },
    TypeError,
    'writer must be a DecisionWriter (an object with write and writeTraceMeta methods), got an object',
  ],
  [
    'tracerOptions.maxEvents: -1',
    { tracerOptions: { maxEvents: -1 } },
    RangeError,
    'tracerOptions.maxEvents must be a non-negative integer (0 = no limit), got -1',
  ],
  [
    "tracerOptions: 'x'",
    { tracerOptions: 'x' },
    TypeError,
    "tracerOptions must be an object of StepmarkOptions, got 'x'",
  ],
  [
    "options: 'always'",
    'always',
    TypeError,
    "the options of StepmarkSpanProcessor must be an object, got 'always'",
  ],
];

let processors: stepmark.StepmarkSpanProcessor[] = [];
beforeEach(() => resetWarnings());
afterEach(async () => {
  await Promise.all(processors.map((p) => p.shutdown()));
  processors = [];
  diag.disable();
  resetWarnings();
});

describe('StepmarkSpanProcessor', () => {
  describe('constructor', () => {
    it.each(wrong)(
      'refuses %s, naming it, what it got and what it takes',
      (_label, options, error, message) => {
        const create = () => processors.push(new stepmark.StepmarkSpanProcessor(options as never));
        expect(create).toThrow(error);
        expect(create).toThrow(`stepmark-otel: ${message}`);
        expect(processors).toHaveLength(0);
      },
    );

    it('takes 0 where it means something: maxSpans (no limit) and recentTraces (keep none)', () => {
      const processor = new stepmark.StepmarkSpanProcessor({ maxSpans: 0, recentTraces: 0 });
      processors.push(processor);
      expect(processor.recent()).toEqual([]);
    });

    it('takes undefined as the default for every option', () => {
      const processor = new stepmark.StepmarkSpanProcessor({
        onFinish: undefined,
        sinks: undefined,
        maxTraces: undefined,
        traceTtlMs: undefined,
        mode: undefined,
        tracerOptions: undefined,
        recentTraces: undefined,
      } as never);
      processors.push(processor);
      expect(processor.stats().tracesInProgress).toBe(0);
    });

    it('warns once about an unknown option that looks like a typo, and takes the rest', () => {
      const diag = captureDiag();
      for (let i = 0; i < 2; i++) {
        processors.push(new stepmark.StepmarkSpanProcessor({ maxTrace: 5 } as never));
      }
      processors.push(new stepmark.StepmarkSpanProcessor({ somethingElse: true } as never));
      expect(diag.messages).toEqual([
        "stepmark-otel: unknown option 'maxTrace' in the options of StepmarkSpanProcessor is ignored: did you mean 'maxTraces'?",
      ]);
      expect(stepmark.stats().misconfigurations).toEqual(['likely-typo:maxTraces']);
    });
  });
});
