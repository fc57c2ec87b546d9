// Failures the fuzz suite found in src/ that are not fixed yet. A property with open findings
// still runs whole: a failure that matches one of them is reported (with fast-check's
// counterexample) instead of failing the run, so that `npm test` and CI stay usable while the fix
// is made; any other failure fails the run. STEPMARK_FUZZ_STRICT=1 fails on every failure.
// When a fix lands, delete its entry here: the property then holds it to the fix. Fixed so far
// (and so enforced by their properties): scope(kind) throwing, exit() spreading its meta, typed
// arrays walked index by index as meta, String() of huge array labels, option objects whose own
// traps escaped the constructors, unhandled rejections of callback options, the Jaeger reader and
// mergeTraces trusting the shape of their JSON, unbounded nesting in the reader.

/** One open finding: what fails, a minimal repro, and how to recognise its failure. */
export interface OpenFinding {
  readonly id: string;
  readonly summary: string;
  readonly repro: string;
  /** Whether fast-check's failure (its message and the cause's name, message and stack) is this one. */
  matches(failure: FailureText): boolean;
}

/** The parts of a failed fast-check run a finding is recognised by. */
export interface FailureText {
  /** fast-check's report: the counterexample and the seed/path to replay it. */
  report: string;
  /** `${name}: ${message}` of the error the property threw. */
  cause: string;
  /** The stack of that error. */
  stack: string;
}

export const OPEN_FINDINGS = {} satisfies Record<string, OpenFinding>;

/** What a property reported about its open findings, for the summary. */
export const reportedFindings: string[] = [];

const STRICT = process.env.STEPMARK_FUZZ_STRICT === '1';

function failureText(error: unknown): FailureText {
  const cause = (error as { cause?: unknown }).cause;
  const e = cause instanceof Error ? cause : undefined;
  return {
    report: error instanceof Error ? error.message : String(error),
    cause: e === undefined ? String(cause) : `${e.name}: ${e.message}`,
    stack: e?.stack ?? '',
  };
}

/**
 * fast-check parameters of a property with open findings: no shrinking (their repros are above,
 * and shrinking re-runs slow cases), unless STEPMARK_FUZZ_STRICT=1.
 */
export function openParams(findings: readonly OpenFinding[]): { endOnFailure?: boolean } {
  return findings.length > 0 && !STRICT ? { endOnFailure: true } : {};
}

/**
 * Runs a property that may fail by one of `findings`: such a failure is reported (not thrown)
 * unless STEPMARK_FUZZ_STRICT=1; any other failure is thrown.
 */
export async function allowingOpen(
  property: string,
  findings: readonly OpenFinding[],
  run: () => Promise<void> | void,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    const text = failureText(error);
    const finding = findings.find((f) => f.matches(text));
    if (STRICT || finding === undefined) throw error;
    const counterexample = /Counterexample: (.*)/.exec(text.report)?.[1] ?? '';
    reportedFindings.push(
      `  ${property}: OPEN FINDING ${finding.id} reproduced (${text.cause.slice(0, 160)}); counterexample ${counterexample.slice(0, 400)}`,
    );
  }
}
