// A temporary folder per test file, deleted after it, and files written into it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Makes the folder (`stepmark-<name>-…`) and registers its removal after the file's tests. */
export function tempFiles(name: string): { dir: string; file(text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), `stepmark-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return {
    dir,
    /** A new file in the folder holding `text`; returns its path. */
    file(text: string): string {
      const path = join(dir, `traces-${files++}.jsonl`);
      writeFileSync(path, text);
      return path;
    },
  };
}
