import { createReadStream } from 'node:fs';
import { AuditVerifier, type AuditVerification } from '../export/audit/AuditVerifier.js';
import { failure, type CliResult } from './CliResult.js';
import { terminalText as safe } from './terminalText.js';

/** How `audit verify` runs. */
export interface AuditVerifyOptions {
  /** Print one JSON object instead of a sentence. */
  json: boolean;
  /** The HMAC key, read by the caller from the environment (never from argv: it would show in `ps`). */
  key?: string | undefined;
  /** Longest line read; default MAX_AUDIT_LINE_BYTES (tests give less). */
  maxLineBytes?: number;
}

/** Longest audit line read (a trace as `FileSink` writes it is far smaller): past it, exit 2. */
export const MAX_AUDIT_LINE_BYTES = 64 * 1024 * 1024;

/** A line past MAX_AUDIT_LINE_BYTES: the file is refused rather than buffered whole. */
class LineTooLong extends Error {}

/** Feeds the lines of `path` to `verifier`, reading it as a stream; stops early once it is done. */
async function feed(path: string, verifier: AuditVerifier, maxLine: number): Promise<void> {
  let rest = Buffer.alloc(0);
  let lineNo = 0;
  const stream = createReadStream(path);
  // Leaving the loop early destroys the stream.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    let newline = data.indexOf(0x0a);
    while (newline >= 0) {
      if (!verifier.line(path, ++lineNo, data.subarray(0, newline).toString('utf8'), true)) return;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    if (data.length > maxLine) {
      throw new LineTooLong(`line ${lineNo + 1} is longer than ${maxLine} bytes`);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) verifier.line(path, ++lineNo, rest.toString('utf8'), false);
}

/** The sentence for people: `verified N lines …`, or `file:line: kind: message`. */
function sentence(result: AuditVerification, files: readonly string[]): string {
  const problem = result.problem;
  if (problem !== undefined) {
    return (
      `${safe(problem.file)}:${problem.line}: ${problem.kind}: ${safe(problem.message)}\n` +
      `(${result.lines} line${result.lines === 1 ? '' : 's'} verified before it)\n`
    );
  }
  const range =
    result.firstSeq === undefined ? '' : ` (seq ${result.firstSeq}–${result.lastSeq ?? ''})`;
  const head =
    result.firstSeq !== undefined && result.firstSeq > 1
      ? `\nnote: the trail starts at seq ${result.firstSeq}: the ${result.firstSeq - 1} lines before it are not among these files (rotated away?)`
      : '';
  const last = result.lastHash === undefined ? '' : `\nlast hash ${result.lastHash}`;
  return `verified ${result.lines} line${result.lines === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}${range}${last}${head}\n`;
}

/**
 * `stepmark-otel audit verify <file...>`: checks an audit trail written by `AuditSink`, files
 * oldest first (`path.N` … `path.1`, `path`). Exit 0 and `verified N lines`, or exit 1 naming the
 * first line that was changed, removed or reordered; exit 2 when a file cannot be read.
 */
export async function auditVerify(
  files: readonly string[],
  options: AuditVerifyOptions,
): Promise<CliResult> {
  const verifier = new AuditVerifier(options.key);
  for (const file of files) {
    try {
      await feed(file, verifier, options.maxLineBytes ?? MAX_AUDIT_LINE_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        error instanceof LineTooLong
          ? error.message
          : code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'a directory'
              : String(error);
      return failure(2, `cannot read ${file}: ${reason}`);
    }
    if (verifier.done) break;
  }
  const result = verifier.end();
  const stdout = options.json
    ? `${JSON.stringify({ ...result, files })}\n`
    : sentence(result, files);
  return { code: result.ok ? 0 : 1, stdout, stderr: '' };
}
