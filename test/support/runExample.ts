import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a finished child process printed, and its exit code. */
export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an example as `npm run example:*` does (Node with tsx, from the repository's root) and
 * returns what it printed; never rejects.
 * @example const run = await runExample('examples/runtime/main.ts', ['--out', file]);
 */
export function runExample(script: string, args: string[] = []): Promise<ExampleRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}
