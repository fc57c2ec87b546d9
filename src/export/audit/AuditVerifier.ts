import {
  AUDIT_GENESIS,
  chainHash,
  parseAuditLine,
  type AuditKey,
  type AuditLine,
} from './auditChain.js';

/**
 * What is wrong at the first bad line: `changed` (content does not match its hash), `key` (no
 * hash matches: wrong key, or a key where the trail has none, or the reverse), `missing` (lines
 * before it were removed, or a file is missing), `reordered`, `unlinked` (it does not chain to
 * the line before: one of the two was changed and its hash recomputed), `malformed` (not an
 * audit line), `truncated` (a line cut short by an interrupted write: a crash).
 */
export type AuditProblemKind =
  'changed' | 'key' | 'missing' | 'reordered' | 'unlinked' | 'malformed' | 'truncated';

/** The first bad line: where (file and 1-based line number) and what is wrong. */
export interface AuditProblem {
  file: string;
  line: number;
  kind: AuditProblemKind;
  message: string;
}

/** The outcome of `AuditVerifier.end()`. */
export interface AuditVerification {
  /** True when every line verified. */
  ok: boolean;
  /** Lines verified (before the problem, when there is one). */
  lines: number;
  /** Seq of the first line verified; above 1 when the oldest lines are not among the files (rotated away). */
  firstSeq?: number;
  /** Seq and hash of the last line verified: keep them elsewhere to detect a cut-off end later. */
  lastSeq?: number;
  lastHash?: string;
  problem?: AuditProblem;
}

interface Pending {
  problem: AuditProblem;
  /** For `missing`: the seq of the line that jumped ahead. */
  seq?: number;
}

/**
 * Checks an audit trail line by line, oldest first, and stops at the first bad line. A problem
 * that one more line decides (a jump in seq: missing or reordered? a bad line: a cut-short write
 * the chain resumes after?) waits for the next line or `end()`.
 * @example const v = new AuditVerifier(key); v.line('audit.jsonl', 1, text, true); v.end().ok
 */
export class AuditVerifier {
  readonly #key: AuditKey | undefined;
  #lines = 0;
  #firstSeq: number | undefined;
  #last: { seq: number; hash: string; file: string; line: number } | undefined;
  #pending: Pending | undefined;
  #settled: AuditProblem | undefined;

  /** `key`: the HMAC key the trail was written with (none for a plain SHA-256 chain). */
  constructor(key?: AuditKey) {
    this.#key = key;
  }

  /** Whether a problem is settled: further lines are ignored. */
  get done(): boolean {
    return this.#settled !== undefined;
  }

  /**
   * Feeds one line (without its newline) of `file`, numbered from 1 in that file; `terminated`
   * is false for a last line with no newline after it. Returns false once a problem is settled.
   */
  line(file: string, lineNo: number, text: string, terminated: boolean): boolean {
    if (this.#settled !== undefined) return false;
    const parsed = parseAuditLine(text);
    if (this.#pending !== undefined) {
      this.#settled = this.#decide(this.#pending, parsed);
      return false;
    }
    const at = (kind: AuditProblemKind, message: string): AuditProblem => ({
      file,
      line: lineNo,
      kind,
      message,
    });
    if (typeof parsed === 'string') {
      const why = text === '' ? 'an empty line' : parsed;
      this.#pending = {
        problem: terminated
          ? at('malformed', why)
          : at(
              'truncated',
              `the line is incomplete (no newline after it, ${why}): a write was cut short, e.g. a crash mid-write`,
            ),
      };
      return true;
    }
    if (!this.#hashMatches(parsed)) {
      if (this.#lines === 0) {
        this.#pending = {
          problem: at(
            'changed',
            'the line does not match its hash: it was changed, or the key is wrong',
          ),
        };
        return true;
      }
      this.#settled = at('changed', 'the line does not match its hash: its content was changed');
      return false;
    }
    const last = this.#last;
    if (last === undefined) {
      if (parsed.seq === 1 && parsed.prev !== AUDIT_GENESIS) {
        this.#settled = at('unlinked', 'seq 1 does not start from the genesis value');
        return false;
      }
    } else if (parsed.seq === last.seq + 1 && parsed.prev !== last.hash) {
      this.#settled = at(
        'unlinked',
        `the line does not chain to the one before (${last.file}:${last.line}): one of the two ` +
          'was changed and its hash recomputed, or a line was replaced',
      );
      return false;
    } else if (parsed.seq > last.seq + 1) {
      const gap = parsed.seq - last.seq - 1;
      const fileGap =
        lineNo === 1 && last.file !== file
          ? ` (is a file missing between ${last.file} and ${file}?)`
          : '';
      this.#pending = {
        problem: at(
          'missing',
          `seq ${parsed.seq} follows seq ${last.seq}: ${gap} line${gap === 1 ? '' : 's'} removed before this one${fileGap}`,
        ),
        seq: parsed.seq,
      };
      return true;
    } else if (parsed.seq <= last.seq) {
      this.#settled = at(
        'reordered',
        `seq ${parsed.seq} comes after seq ${last.seq}: lines were reordered or repeated`,
      );
      return false;
    }
    this.#accept(parsed, file, lineNo);
    return true;
  }

  /** The outcome, once every line was fed (or a problem was settled). */
  end(): AuditVerification {
    if (this.#settled === undefined && this.#pending !== undefined) {
      const { problem } = this.#pending;
      // A bad last line, terminated: nothing after it tells more.
      this.#settled = problem;
    }
    this.#pending = undefined;
    const result: AuditVerification = { ok: this.#settled === undefined, lines: this.#lines };
    if (this.#firstSeq !== undefined) result.firstSeq = this.#firstSeq;
    if (this.#last !== undefined) {
      result.lastSeq = this.#last.seq;
      result.lastHash = this.#last.hash;
    }
    if (this.#settled !== undefined) result.problem = this.#settled;
    return result;
  }

  #hashMatches(line: AuditLine): boolean {
    return chainHash(line.prev, line.seq, line.traceJson, this.#key) === line.hash;
  }

  #accept(line: AuditLine, file: string, lineNo: number): void {
    this.#lines++;
    this.#firstSeq ??= line.seq;
    this.#last = { seq: line.seq, hash: line.hash, file, line: lineNo };
  }

  /** Settles a pending problem with the line after it (`next`, parsed). */
  #decide(pending: Pending, next: AuditLine | string): AuditProblem {
    const { problem } = pending;
    if (typeof next === 'string') return problem;
    const last = this.#last;
    const nextHashOk = this.#hashMatches(next);
    if (problem.kind === 'changed') {
      // The first line fails: if the next one fails as well, the key is what is wrong.
      if (nextHashOk) return problem;
      return {
        ...problem,
        kind: 'key',
        message:
          'no line matches its hash: the key is wrong (or the trail was written without a key, ' +
          'or with one and none was given)',
      };
    }
    if (problem.kind === 'missing') {
      const expected = (last?.seq ?? 0) + 1;
      if (pending.seq !== undefined && (next.seq === expected || next.seq < pending.seq)) {
        return {
          ...problem,
          kind: 'reordered',
          message: `seq ${pending.seq} comes before seq ${next.seq}: lines were reordered`,
        };
      }
      return problem;
    }
    // A bad line: when the next one chains to the line before it, the writer went on after it:
    // an interrupted write (a crash), not an edit.
    const resumes =
      nextHashOk &&
      (last === undefined
        ? next.seq === 1 && next.prev === AUDIT_GENESIS
        : next.seq === last.seq + 1 && next.prev === last.hash);
    if (resumes)
      return {
        ...problem,
        kind: 'truncated',
        message:
          'the line is incomplete: a write was cut short (a crash mid-write); the chain resumes after it',
      };
    return problem;
  }
}
