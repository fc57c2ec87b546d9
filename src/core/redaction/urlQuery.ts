import { REDACTED, type Redactor } from './Redactor.js';

/** Span attributes holding a URL or its query string (OTel semantic conventions, old and new). */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'url.full',
  'url.query',
  'url.original',
  'http.url',
  'http.target',
]);

// A parameter: after the start, `?`, `&` or `;`, a name, `=`, a value up to the next separator.
const PARAMETER = /(^|[?&;])([^=&;#\s]+)=([^&;#\s]*)/g;

/**
 * `url` with the value of every query parameter whose name the redactor redacts replaced.
 * @example redactQuery('/login?user=ann&access_token=abc', defaultRedactor) // '/login?user=ann&access_token=[REDACTED]'
 */
export function redactQuery(url: string, redactor: Redactor): string {
  return url.replace(PARAMETER, (match, start: string, name: string) => {
    let key = name;
    try {
      key = decodeURIComponent(name);
    } catch {
      // a bad escape: judge the name as written
    }
    return redactor.redacts(key) ? `${start}${name}=${REDACTED}` : match;
  });
}
