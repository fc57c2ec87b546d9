import { createHash, timingSafeEqual } from 'node:crypto';
import {
  describeValue,
  nameOption,
  optionsObject,
  typeError,
  Undisclosed,
} from '../core/checkOptions.js';
import { reportMisconfiguration } from '../core/diagnostics.js';
import { headOf, type RequestHead } from './RequestHead.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * An `authorize` that accepts a request carrying the shared secret in a header, compared in
 * constant time. The secret comes from an environment variable, read once; without it every
 * request is refused, and that is reported once per process (on `diag.warn`, else as a process
 * warning, and as `token-unset` in `stats().misconfigurations`). Throws a `TypeError` for options
 * that are not `{ header?, env? }` with names in them.
 * @example middleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() })
 */
export function tokenAuthorizer(
  options: { header?: string; env?: string } = {},
): (req: unknown, head: RequestHead) => boolean {
  if (typeof options === 'string') {
    // tokenAuthorizer('X-Token') or tokenAuthorizer(process.env.TOKEN): the secret never goes here.
    throw typeError(
      'the options of tokenAuthorizer',
      '{ header?, env? }',
      new Undisclosed('a string'),
      'use tokenAuthorizer({ header: ... }) for the header, and the environment variable STEPMARK_TOKEN (or { env: ... }) for the secret',
    );
  }
  const o = optionsObject<{ header?: unknown; env?: unknown }>('tokenAuthorizer', options) ?? {};
  const header = (
    nameOption('tokenAuthorizer header', o.header, "a header name such as 'X-Stepmark-Token'") ??
    'x-stepmark-token'
  ).toLowerCase();
  const variable =
    nameOption(
      'tokenAuthorizer env',
      o.env,
      "an environment variable name such as 'STEPMARK_TOKEN'",
    ) ?? 'STEPMARK_TOKEN';
  const secret = process.env[variable];
  if (!secret) {
    reportMisconfiguration(
      'token-unset',
      `${variable} is not set, so tokenAuthorizer() refuses every request and every triggered ` +
        `request runs untraced; set ${variable} (the secret callers send in ${describeValue(header)}) ` +
        'before the middleware is created; see docs/troubleshooting.md',
    );
  }
  // Hashing both sides gives equal lengths, which timingSafeEqual needs, and leaks no length.
  const expected = secret ? digest(secret) : undefined;
  return function stepmarkTokenAuthorizer(_req, head) {
    const value = headOf(head, header);
    if (expected === undefined || typeof value !== 'string' || value.length === 0) return false;
    return timingSafeEqual(digest(value), expected);
  };
}
