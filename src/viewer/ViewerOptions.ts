import { optionsObject, typeError, urlOption, warnLikelyTypos } from '../core/checkOptions.js';
import { optionsError } from '../core/options.js';

/**
 * Options of `renderHtml` (and of `viewerRoute`, which passes them on). Checked at the call: a
 * wrong one throws a `TypeError` naming it; `undefined` means the default.
 * @example renderHtml(traces, { title: 'checkout, last hour', jaegerUrl: 'http://localhost:16686' })
 */
export interface ViewerOptions {
  /** The page's title, plain text (cut at 200 characters). Default `'stepmark-otel traces'`. */
  title?: string;
  /**
   * Where people open Jaeger's UI (`http://jaeger.internal:16686`): each trace then links to
   * `<jaegerUrl>/trace/<trace id>` (see `jaegerTraceUrl`; user and password left out). Off unless set.
   */
  jaegerUrl?: string;
}

/**
 * The title of a page given none.
 * @example renderHtml(traces).includes(`<title>${DEFAULT_TITLE}</title>`) // true
 */
export const DEFAULT_TITLE = 'stepmark-otel traces';

/** Longest title kept: it is a heading, not a place for data. */
const MAX_TITLE = 200;

/** The option names of `ViewerOptions`, for spotting likely typos. */
export const VIEWER_OPTION_NAMES: readonly string[] = ['title', 'jaegerUrl'];

/** `ViewerOptions` as checked, with the default title applied. */
export interface CheckedViewerOptions {
  title: string;
  jaegerUrl: string | undefined;
}

/** The `title` option: a string (cut at 200 characters), or undefined for the default. */
export function titleOption(value: unknown): string {
  if (value === undefined) return DEFAULT_TITLE;
  if (typeof value !== 'string') throw typeError('title', 'a string', value);
  return value.length > MAX_TITLE ? `${value.slice(0, MAX_TITLE)}…` : value;
}

/** The `jaegerUrl` option: an absolute http(s) URL, or undefined. */
export function jaegerUrlOption(value: unknown): string | undefined {
  return urlOption(
    'jaegerUrl',
    value,
    "the http(s) URL of Jaeger's UI, e.g. 'http://localhost:16686'",
  );
}

/**
 * Checks the options of `where` (`renderHtml`): each read once, a wrong one a `TypeError` naming
 * it, a hostile object (a getter that throws) a `TypeError` too.
 */
export function checkViewerOptions(options: unknown, where: string): CheckedViewerOptions {
  try {
    const o = optionsObject<Record<string, unknown>>(where, options) ?? {};
    const checked = { title: titleOption(o.title), jaegerUrl: jaegerUrlOption(o.jaegerUrl) };
    warnLikelyTypos(`the options of ${where}`, o, VIEWER_OPTION_NAMES);
    return checked;
  } catch (error) {
    throw optionsError(where, error);
  }
}
