import { open } from 'node:fs/promises';
import { parseAuditLine, type AuditLine } from './auditChain.js';

/** The end of an existing trail: where the chain goes on, and whether the file needs a newline first. */
export interface AuditTail {
  /** The last whole audit line, or undefined when there is none to continue from. */
  last: AuditLine | undefined;
  /** The file ends without a newline (a write cut short): one must be written before the next line. */
  unterminated: boolean;
  /** Why the chain cannot continue from the file's last line, when it cannot. */
  problem?: string;
}

const CHUNK = 64 * 1024;

/**
 * The last audit line of `path`, reading backwards from its end only as far as that line (a
 * trail of gigabytes costs one small read). Undefined when the file is missing or empty.
 * @example const tail = await readAuditTail('audit.jsonl');
 */
export async function readAuditTail(path: string): Promise<AuditTail | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    let window = CHUNK;
    for (;;) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const unterminated = buffer[buffer.length - 1] !== 0x0a;
      let end = unterminated ? buffer.length : buffer.length - 1;
      // Up to two candidates: an unterminated last line that is whole (only its newline was cut),
      // else the terminated line before it.
      for (let attempt = 0; attempt < 2; attempt++) {
        const newline = buffer.lastIndexOf(0x0a, end - 1);
        if (newline < 0 && start > 0) break; // the line goes on before the window: read more
        const text = buffer.subarray(newline + 1, end).toString('utf8');
        const line = parseAuditLine(text);
        if (typeof line !== 'string') return { last: line, unterminated };
        if (!unterminated || attempt === 1) {
          return { last: undefined, unterminated, problem: `its last line is ${line}` };
        }
        if (newline < 0) return { last: undefined, unterminated };
        end = newline;
      }
      if (start === 0) return { last: undefined, unterminated };
      window *= 4;
    }
  } finally {
    await handle.close();
  }
}
