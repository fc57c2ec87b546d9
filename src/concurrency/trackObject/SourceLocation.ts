import { fileURLToPath } from 'node:url';

/**
 * Frames kept by a capture. The trap itself is cut off by `Error.captureStackTrace`; what can
 * still sit between it and the user's frame is a builtin (`Array.prototype.splice`) or a frame of
 * this library, so a few are enough, and fewer frames make the capture cheaper.
 */
const FRAMES = 4;

/** `    at name (file:line:column)` or `    at file:line:column`; builtins (`<anonymous>`) have no position. */
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** A copy of this package installed as a dependency (its bundled build). */
const INSTALLED = /[\\/]node_modules[\\/]stepmark-otel[\\/]dist[\\/]/;

let ownRoots: readonly string[] | undefined;

/**
 * Where this library's own frames live: `src/concurrency/` when running from source, the folder of
 * the bundled file (`dist/`) otherwise. Both as a URL (ESM stacks) and as a path (CommonJS stacks).
 */
function libraryRoots(): readonly string[] {
  if (ownRoots !== undefined) return ownRoots;
  const roots: string[] = [];
  try {
    const here = new URL('.', import.meta.url);
    const root = here.href.endsWith('/concurrency/trackObject/') ? new URL('..', here) : here;
    roots.push(root.href);
    if (root.protocol === 'file:') roots.push(fileURLToPath(root));
  } catch {
    // No usable import.meta.url: the node_modules rule still applies.
  }
  ownRoots = roots;
  return roots;
}

function isUserFrame(file: string): boolean {
  if (file.startsWith('node:') || file.includes('<anonymous>') || file === 'native') return false;
  if (INSTALLED.test(file)) return false;
  for (const root of libraryRoots()) if (file.startsWith(root)) return false;
  return true;
}

/** `file:line:column` of the first user frame of a V8 stack string. */
function firstUserFrame(stack: string): string | undefined {
  const lines = stack.split('\n');
  // lines[0] is the header ("Error"), not a frame.
  for (let i = 1; i < lines.length; i++) {
    const match = FRAME.exec(lines[i] ?? '');
    if (match === null) continue;
    const [, file = '', line, column] = match;
    if (!isUserFrame(file)) continue;
    const shown = file.startsWith('file://') ? fileURLToPath(file) : file;
    return `${shown}:${line}:${column}`;
  }
  return undefined;
}

/**
 * The user's call site of one recorded access, captured cheaply and formatted only when read:
 * V8 collects the raw frames at `Error.captureStackTrace` and builds the `stack` string on its
 * first read, so a record that is dropped never pays for formatting. Frames of this library,
 * of Node's internals and of builtins are skipped.
 * @example String(captureLocation(trap)) // '/app/src/transfer.ts:12:7'
 */
export class SourceLocation {
  /** Installed by `Error.captureStackTrace`; formatted by V8 on first read. */
  declare readonly stack?: unknown;
  /** null until resolved; then the location, or undefined when no user frame was captured. */
  #text: string | undefined | null = null;

  /** `file:line:column` of the user's frame, or undefined when none was captured. */
  resolve(): string | undefined {
    if (this.#text !== null) return this.#text;
    let text: string | undefined;
    try {
      const stack = this.stack;
      text = typeof stack === 'string' ? firstUserFrame(stack) : undefined;
    } catch {
      text = undefined;
    }
    this.#text = text;
    return text;
  }

  /** `file:line:column`, or `''` when no user frame was captured (what StateDetail reads as none). */
  toString(): string {
    return this.resolve() ?? '';
  }

  /** The location in JSON (undefined, i.e. left out, when unknown). */
  toJSON(): string | undefined {
    return this.resolve();
  }
}

/**
 * Captures the stack below `above` (the trap or wrapper the user's code called into), with a small
 * `Error.stackTraceLimit` that is restored afterwards. Never throws.
 * @example const location = captureLocation(trackedGet) // inside trackedGet
 */
export function captureLocation(above: (...args: never[]) => unknown): SourceLocation {
  const location = new SourceLocation();
  try {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = FRAMES;
    try {
      Error.captureStackTrace(location, above);
    } finally {
      Error.stackTraceLimit = limit;
    }
  } catch {
    // A locked-down Error (frozen stackTraceLimit): the location resolves to undefined.
  }
  return location;
}
