// Measures one property: its cases, its longest call against a time budget, the heap it leaves
// behind after GC, and the errors stepmark caught and reported on `diag` meanwhile.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { expect } from 'vitest';
import { resetWarnings } from '../../../src/core/diagnostics.js';
import { stats } from '../../../src/index.js';
import {
  CALL_BUDGET_MS,
  FUZZ_RUNS,
  FUZZ_SEED,
  HEAP_BOUND_MB,
  IO_CALL_BUDGET_MS,
} from './fuzzConfig.js';

/** A call that took longer than its budget: thrown inside the property, so it is a counterexample. */
export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
}

/** What one property measured, for the summary printed at the end of its file. */
export interface PropertyFigures {
  property: string;
  cases: number;
  calls: number;
  longestMs: number;
  longestCall: string;
  heapGrowthMb: number;
  /** Errors stepmark caught internally (`stats().internalErrors`): not thrown, but reported. */
  internalErrors: number;
  /** Distinct warnings stepmark wrote on `diag` meanwhile (first of each kind). */
  warnings: string[];
  /** Outcomes the property counted (see `PropertyMeter.count`). */
  counts: Record<string, number>;
}

/** A `gc()` function: vitest runs with --expose-gc (vitest.config.ts); otherwise one is exposed here. */
const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();

/** Heap in use after full collections, with the finalizers and pending callbacks they free run. */
async function settledHeapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

const figures: PropertyFigures[] = [];

/**
 * Keeps the distinct messages stepmark writes on `diag` (at most 100). Only the text: the errors
 * passed along hold their stack's call sites, hence the objects the fuzzer built, and keeping them
 * would show up as heap growth that is the test's, not stepmark's.
 */
function captureMessages(): Set<string> {
  const messages = new Set<string>();
  const log = (message: string) => {
    if (messages.size < 100) messages.add(String(message));
  };
  diag.setLogger(
    { warn: log, error: log, info: log, debug: log, verbose: log },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return messages;
}

/** Times calls and counts cases of one property; `close()` asserts the heap bound. */
export class PropertyMeter {
  #cases = 0;
  #calls = 0;
  #longestMs = 0;
  #longestCall = '';
  #heapBeforeMb = 0;
  #internalErrorsBefore = 0;
  #messages: Set<string> | undefined;
  readonly #counts: Record<string, number> = {};

  private constructor(readonly property: string) {}

  /** Starts measuring after a full GC. */
  static async open(property: string): Promise<PropertyMeter> {
    const meter = new PropertyMeter(property);
    resetWarnings();
    meter.#messages = captureMessages();
    meter.#internalErrorsBefore = stats().internalErrors;
    meter.#heapBeforeMb = await settledHeapMb();
    return meter;
  }

  /** Counts one generated case. */
  case(): void {
    this.#cases++;
  }

  /** Counts an outcome worth seeing in the summary (e.g. how many runs ended in each exit code). */
  count(outcome: string): void {
    this.#counts[outcome] = (this.#counts[outcome] ?? 0) + 1;
  }

  #took(label: string, ms: number, budgetMs: number): void {
    this.#calls++;
    if (ms > this.#longestMs) {
      this.#longestMs = ms;
      this.#longestCall = label;
    }
    if (ms > budgetMs) {
      throw new BudgetExceeded(`${label} took ${ms.toFixed(1)} ms (budget ${budgetMs} ms)`);
    }
  }

  /** Runs a synchronous call, timed against `budgetMs`; what it throws passes through. */
  call<T>(label: string, fn: () => T, budgetMs = CALL_BUDGET_MS): T {
    const start = performance.now();
    let result: T;
    try {
      result = fn();
    } finally {
      this.#took(label, performance.now() - start, budgetMs);
    }
    return result;
  }

  /** Runs an asynchronous call (until it settles), timed against `budgetMs`. */
  async callAsync<T>(
    label: string,
    fn: () => Promise<T>,
    budgetMs = IO_CALL_BUDGET_MS,
  ): Promise<T> {
    const start = performance.now();
    let result: T;
    try {
      result = await fn();
    } finally {
      this.#took(label, performance.now() - start, budgetMs);
    }
    return result;
  }

  /** Measures the heap after GC and records the figures. */
  async close(): Promise<PropertyFigures> {
    const heapGrowthMb = (await settledHeapMb()) - this.#heapBeforeMb;
    const warnings = [...(this.#messages ?? [])];
    this.#messages = undefined;
    diag.disable();
    const figure: PropertyFigures = {
      property: this.property,
      cases: this.#cases,
      calls: this.#calls,
      longestMs: this.#longestMs,
      longestCall: this.#longestCall,
      heapGrowthMb,
      internalErrors: stats().internalErrors - this.#internalErrorsBefore,
      warnings,
      counts: this.#counts,
    };
    figures.push(figure);
    return figure;
  }
}

/**
 * Runs one property with a meter: opens it, runs `check` (which runs fast-check), closes it (also
 * after a failure, so that the summary lists every property), then asserts the heap bound.
 */
export async function measured(
  property: string,
  check: (meter: PropertyMeter) => Promise<void> | void,
): Promise<void> {
  const meter = await PropertyMeter.open(property);
  let figure: PropertyFigures;
  try {
    await check(meter);
  } finally {
    figure = await meter.close();
  }
  expect(figure.heapGrowthMb, `${property}: heap growth after GC, MB`).toBeLessThan(HEAP_BOUND_MB);
}

/** Prints what every property of this file measured, for pasting into a closing note. */
export function printSummary(file: string): void {
  const lines = figures.map((f) => {
    const heap = `${f.heapGrowthMb >= 0 ? '+' : ''}${f.heapGrowthMb.toFixed(1)} MB`;
    const caught =
      f.internalErrors === 0
        ? ''
        : ` | caught internally: ${f.internalErrors} (${f.warnings.join('; ').slice(0, 300)})`;
    const counted = Object.entries(f.counts)
      .map(([outcome, n]) => `${outcome}: ${n}`)
      .join(', ');
    return (
      `  ${f.property}: ${f.cases} cases, ${f.calls} calls, longest ${f.longestMs.toFixed(1)} ms` +
      ` (${f.longestCall}), heap after GC ${heap}${counted ? ` | ${counted}` : ''}${caught}`
    );
  });
  console.log(
    `fuzz summary ${file} (seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs; budgets ${CALL_BUDGET_MS} ms/call,` +
      ` ${IO_CALL_BUDGET_MS} ms/socket call, heap ${HEAP_BOUND_MB} MB)\n${lines.join('\n')}`,
  );
}
