import { createHash } from 'node:crypto';
import { STYLESHEET } from './stylesheet.js';
import { viewerClient } from './viewerClient.js';

/**
 * The page's script as inlined: the client function's own source, called with the page's
 * `document` and `window`. Built from `viewerClient.toString()`, so that the script is the code
 * tsc and ESLint checked, whatever compiled it (tsup for dist/, tsx and vitest from src/). Those
 * that keep function names (esbuild's `keepNames`: tsx, vitest) call a helper of the module,
 * `__name(fn, 'name')`, after each inner function: the script brings a no-op one of its own.
 */
export const CLIENT_SCRIPT = `(function () {
var __name = function (fn) { return fn; };
(${viewerClient.toString()})(document, window);
})();`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The Content-Security-Policy of every viewer page, as its `<meta>` tag and `viewerRoute`'s header
 * carry it: nothing from the network (`default-src 'none'`), no form, no `<base>`, and only the
 * page's own inline script and stylesheet, allowed by their hashes. Both are the same on every
 * page (the data is JSON, which is not run), so the policy is one constant.
 * @example res.setHeader('content-security-policy', `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`)
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(CLIENT_SCRIPT)}`,
  `style-src ${sha256(STYLESHEET)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
