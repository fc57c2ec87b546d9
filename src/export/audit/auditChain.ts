import { createHash, createHmac } from 'node:crypto';

/** The `prev` of the first line of a trail: 64 zeros (no line before it). */
export const AUDIT_GENESIS = '0'.repeat(64);

/** The key of an audit trail: its bytes, or a string taken as UTF-8. */
export type AuditKey = string | Uint8Array;

/** One line of an audit trail, as `parseAuditLine` reads it. */
export interface AuditLine {
  /** 1 for the first line of the trail, then one more per line, across rotated files. */
  seq: number;
  /** The `hash` of the line before (`AUDIT_GENESIS` for seq 1). */
  prev: string;
  /** SHA-256 (HMAC-SHA256 with a key) of `prev`, `seq` and `traceJson`, in hex. */
  hash: string;
  /** The trace exactly as written: the bytes the hash covers. */
  traceJson: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The hash of one line: over the previous line's hash, the line's seq and the trace's JSON text
 * as written (byte for byte: reformatting the line counts as a change).
 * @example chainHash(AUDIT_GENESIS, 1, '{"trace_id":"…"}', process.env.AUDIT_KEY)
 */
export function chainHash(
  prev: string,
  seq: number,
  traceJson: string,
  key: AuditKey | undefined,
): string {
  const hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return hash.update(`${prev}\n${seq}\n`).update(traceJson).digest('hex');
}

/** The start of a line up to its trace; fixed, so the trace's text can be cut out exactly. */
function prefixOf(seq: number, prev: string, hash: string): string {
  return `{"seq":${seq},"prev":"${prev}","hash":"${hash}","trace":`;
}

/**
 * One line of the trail, without its newline: `{"seq":…,"prev":"…","hash":"…","trace":{…}}`.
 * @example formatAuditLine(1, AUDIT_GENESIS, hash, JSON.stringify(trace))
 */
export function formatAuditLine(
  seq: number,
  prev: string,
  hash: string,
  traceJson: string,
): string {
  return `${prefixOf(seq, prev, hash)}${traceJson}}`;
}

/**
 * Reads one line of a trail (without its newline): the line, or why it is none (a string).
 * Checks the layout only; `chainHash` checks the content.
 * @example const line = parseAuditLine(text); if (typeof line === 'string') console.log(line);
 */
export function parseAuditLine(text: string): AuditLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not an audit line (a JSON object with seq, prev, hash and trace)';
  const { seq, prev, hash, trace } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return 'not an audit line: seq is not a positive integer';
  if (typeof prev !== 'string' || !HEX64.test(prev))
    return 'not an audit line: prev is not 64 hex digits';
  if (typeof hash !== 'string' || !HEX64.test(hash))
    return 'not an audit line: hash is not 64 hex digits';
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace))
    return 'not an audit line: trace is not an object';
  const prefix = prefixOf(seq, prev, hash);
  if (Object.keys(value).length !== 4 || !text.startsWith(prefix) || !text.endsWith('}'))
    return 'not in the layout AuditSink writes (fields added, moved or reformatted)';
  return { seq, prev, hash, traceJson: text.slice(prefix.length, -1) };
}
