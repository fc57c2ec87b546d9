import type { DecisionWriter } from '../core/DecisionWriter.js';
import {
  checkStepmarkOptions,
  functionOption,
  integerOption,
  listOption,
  NO_LIMIT_AT_ZERO,
  oneOfOption,
  optionsObject,
  POSITIVE,
  typeError,
  warnLikelyTypos,
  type IntegerRule,
} from '../core/checkOptions.js';
import type { StepmarkOptions } from '../core/options.js';
import { defaultWriter } from '../core/SpanEventWriter.js';
import type { TraceSink } from '../export/TraceSink.js';
import type { Trace } from '../types.js';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_PER_CONSUMER,
} from './DeliveryPipeline.js';
import type { TraceAnalyzer } from './TraceAnalyzer.js';

/**
 * Options of `StepmarkSpanProcessor`, checked by its constructor: a wrong one is a `TypeError`
 * (wrong type) or `RangeError` (number out of range) naming it; `undefined` means the default.
 * @example new StepmarkSpanProcessor({ onFinish: (t) => console.log(JSON.stringify(t)), maxTraces: 500 })
 */
export interface StepmarkSpanProcessorOptions {
  /** Called with each finished trace (a function), asynchronously after its local root span ends. */
  onFinish?: (trace: Trace) => void | Promise<void>;
  /** Sinks (objects with `export(trace)`, at most 64) that receive each finished trace, isolated from each other. Default none. */
  sinks?: TraceSink[];
  /** @deprecated The old name of `sinks`; both may be given (their sinks add up). */
  exporters?: TraceSink[];
  /** Traces held at once, a whole number >= 1 (0 is refused: memory must stay bounded); past it the oldest is emitted as `incomplete: 'capacity'`. Default 1,000. */
  maxTraces?: number;
  /** Traces whose root has not ended after this many ms (a whole number >= 1; 0 is refused) are emitted as `incomplete: 'ttl'`. Default 300,000 (5 min). */
  traceTtlMs?: number;
  /** Span summaries kept per trace, a whole number; 0 = no limit; the rest are counted in `dropped_spans`. Default 1,000. */
  maxSpans?: number;
  /**
   * 'on-demand' (default): record only in enabled contexts, and emit the traces that recorded.
   * 'always' (flow mode, FlowTracker's always-on log): record on every recording span, and emit
   * every request the provider records (sampled), with its span tree even when nothing was
   * recorded in it; spans still open at emission are listed with `open: true`.
   */
  mode?: 'on-demand' | 'always';
  /** Options of the sessions 'always' mode opens by itself; checked here as `stepmark.checkOptions` does. */
  tracerOptions?: StepmarkOptions;
  /** How decisions become OTel data (an object with `write` and `writeTraceMeta`). Default: span events (`SpanEventWriter`). */
  writer?: DecisionWriter;
  /** Async exports awaiting completion at once, per consumer (`onFinish`, each sink), a whole number >= 1 (0 is refused); past it that consumer's traces are dropped and counted. Default 1,000. */
  maxPendingExports?: number;
  /** An async export not settled after this many ms (a whole number >= 1; 0 is refused) is counted in `exportTimeouts` and frees its slot; also the bound of `forceFlush` and `shutdown`. Default 30,000 ms. */
  exportTimeoutMs?: number;
  /** Finished traces kept for `collect(traceId)` and `recent()`, a whole number up to 1,000,000; 0 keeps none. Default 100. */
  recentTraces?: number;
  /** Analyzers (at most 64) that see each record and add findings to each trace before it is emitted. Default none. */
  analyzers?: TraceAnalyzer[];
}

/** The options of a processor, checked, with every default applied. */
export interface ProcessorOptions {
  onFinish: ((trace: Trace) => unknown) | undefined;
  /** `sinks` and the deprecated `exporters` together. */
  sinks: TraceSink[];
  maxTraces: number;
  traceTtlMs: number;
  maxSpans: number;
  always: boolean;
  tracerOptions: StepmarkOptions | undefined;
  writer: DecisionWriter;
  maxPendingExports: number;
  exportTimeoutMs: number;
  recentTraces: number;
  analyzers: TraceAnalyzer[];
}

/** Sinks and analyzers a processor takes at most, per option. */
const MAX_LIST_OPTION = 64;

/** The option names of the processor, for spotting likely typos of them. */
const PROCESSOR_OPTION_NAMES: readonly (keyof StepmarkSpanProcessorOptions)[] = [
  'onFinish',
  'sinks',
  'exporters',
  'maxTraces',
  'traceTtlMs',
  'maxSpans',
  'mode',
  'tracerOptions',
  'writer',
  'maxPendingExports',
  'exportTimeoutMs',
  'recentTraces',
  'analyzers',
];

const RECENT_TRACES: IntegerRule = {
  min: 0,
  max: 1_000_000,
  expects: 'an integer from 0 (keep none) to 1,000,000',
};

const USE_CONSOLE_SINK =
  "use sinks: [new ConsoleSink()] (import { ConsoleSink } from 'stepmark-otel/export')";
const USE_ON_FINISH_OR_SINK =
  "use (trace) => console.log(JSON.stringify(trace)), or sinks: [new ConsoleSink()] (import { ConsoleSink } from 'stepmark-otel/export')";

/** Whether `value` has a method `name` (reading it may throw: a hostile option object). */
function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}

/** An entry of `sinks`/`exporters`: an object with `export(trace)`. */
function sinkOption(value: unknown, name: string): TraceSink {
  if (hasMethod(value, 'export')) return value as TraceSink;
  throw typeError(
    name,
    'a TraceSink (an object with an export(trace) method)',
    value,
    typeof value === 'string' ? USE_CONSOLE_SINK : undefined,
  );
}

/** An entry of `analyzers`: an object whose hooks, where present, are functions. */
function analyzerOption(value: unknown, name: string): TraceAnalyzer {
  const expects =
    'a TraceAnalyzer (an object with onTraceStart, onRecord, onTraceEnd and/or onTraceComplete methods)';
  if (typeof value !== 'object' || value === null) throw typeError(name, expects, value);
  const hooks = value as Record<string, unknown>;
  for (const hook of ['onTraceStart', 'onRecord', 'onTraceEnd', 'onTraceComplete']) {
    if (hooks[hook] !== undefined && typeof hooks[hook] !== 'function') {
      throw typeError(`${name}.${hook}`, 'a function', hooks[hook]);
    }
  }
  return value as TraceAnalyzer;
}

/** The `writer` option: an object with `write` and `writeTraceMeta`, or undefined. */
function writerOption(value: unknown): DecisionWriter | undefined {
  if (value === undefined) return undefined;
  if (hasMethod(value, 'write') && hasMethod(value, 'writeTraceMeta')) {
    return value as DecisionWriter;
  }
  throw typeError(
    'writer',
    'a DecisionWriter (an object with write and writeTraceMeta methods)',
    value,
  );
}

/**
 * The processor's options, checked and with their defaults: a wrong one is a `TypeError` (wrong
 * type) or `RangeError` (number out of range) naming it, what it got and what it accepts. Each
 * option is read once: a getter may answer differently the second time.
 */
export function checkProcessorOptions(options: unknown): ProcessorOptions {
  const o = optionsObject<StepmarkSpanProcessorOptions>('StepmarkSpanProcessor', options) ?? {};
  const sinks = (name: 'sinks' | 'exporters', value: unknown): TraceSink[] =>
    listOption(name, value, MAX_LIST_OPTION, 'TraceSinks', sinkOption, () => USE_CONSOLE_SINK) ??
    [];
  const checked: ProcessorOptions = {
    maxTraces: integerOption('maxTraces', o.maxTraces, POSITIVE) ?? 1_000,
    traceTtlMs: integerOption('traceTtlMs', o.traceTtlMs, POSITIVE) ?? 300_000,
    maxSpans: integerOption('maxSpans', o.maxSpans, NO_LIMIT_AT_ZERO) ?? 1_000,
    exportTimeoutMs:
      integerOption('exportTimeoutMs', o.exportTimeoutMs, POSITIVE) ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    maxPendingExports:
      integerOption('maxPendingExports', o.maxPendingExports, POSITIVE) ??
      DEFAULT_MAX_PENDING_PER_CONSUMER,
    always: oneOfOption('mode', o.mode, ['on-demand', 'always'] as const) === 'always',
    writer: writerOption(o.writer) ?? defaultWriter,
    tracerOptions: checkStepmarkOptions(o.tracerOptions, 'tracerOptions'),
    recentTraces: integerOption('recentTraces', o.recentTraces, RECENT_TRACES) ?? 100,
    analyzers:
      listOption('analyzers', o.analyzers, MAX_LIST_OPTION, 'TraceAnalyzers', analyzerOption) ?? [],
    onFinish: functionOption<(trace: Trace) => unknown>(
      'onFinish',
      o.onFinish,
      '(trace) => void',
      () => USE_ON_FINISH_OR_SINK,
    ),
    sinks: [...sinks('sinks', o.sinks), ...sinks('exporters', o.exporters)],
  };
  warnLikelyTypos('the options of StepmarkSpanProcessor', o, PROCESSOR_OPTION_NAMES);
  return checked;
}
