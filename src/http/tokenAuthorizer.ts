import { createHash, timingSafeEqual } from 'node:crypto';
import { diag } from '@opentelemetry/api';
import { headOf, type RequestHead } from './RequestHead.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * An `authorize` that accepts a request carrying the shared secret in a header, compared in
 * constant time. The secret comes from an environment variable, read once; without it every
 * request is refused (and a warning goes to the OTel diagnostic logger).
 * @example middleware({ trigger: headerTrigger('X-Stepmark'), authorize: tokenAuthorizer() })
 */
export function tokenAuthorizer(
  options: { header?: string; env?: string } = {},
): (req: unknown, head: RequestHead) => boolean {
  const header = (options.header ?? 'x-stepmark-token').toLowerCase();
  const variable = options.env ?? 'STEPMARK_TOKEN';
  const secret = process.env[variable];
  if (!secret)
    diag.warn(`stepmark-otel: ${variable} is not set; tokenAuthorizer refuses every request`);
  // Hashing both sides gives equal lengths, which timingSafeEqual needs, and leaks no length.
  const expected = secret ? digest(secret) : undefined;
  return function stepmarkTokenAuthorizer(_req, head) {
    const value = headOf(head, header);
    if (expected === undefined || typeof value !== 'string' || value.length === 0) return false;
    return timingSafeEqual(digest(value), expected);
  };
}
