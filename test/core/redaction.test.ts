// Issue 9, repro 6: redaction by whole words of the whole key, by value when asked, and of the
// span attributes that reach the JSON.
import { trace as otelTrace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { defaultRedactor, Redactor } from '../../src/core/redaction/Redactor.js';
import { redactQuery } from '../../src/core/redaction/urlQuery.js';
import { passesLuhn } from '../../src/core/redaction/valueRules.js';
import type { Trace } from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** Keys and whether the default rules redact them. */
const KEYS: ReadonlyArray<[string, boolean]> = [
  // Held secrets and personal data: redacted.
  ['password', true],
  ['user_password', true],
  ['customerAccountPassword', true],
  ['passwd', true],
  ['pwd', true],
  ['pass_word', true],
  ['passphrase', true],
  ['secret', true],
  ['client_secret', true],
  ['token', true],
  ['access_token', true],
  ['X-Auth-Token', true],
  ['refreshToken', true],
  ['authorization', true],
  ['Proxy-Authorization', true],
  ['cookie', true],
  ['set-cookie', true],
  ['api_key', true],
  ['x-api-key', true],
  ['api-key', true],
  ['apiKey', true],
  ['APIKey', true],
  ['apikey', true],
  ['private_key', true],
  ['credentials', true],
  ['bearer', true],
  ['session', true],
  ['session_id', true],
  ['otp', true],
  ['pin', true],
  ['cvv', true],
  ['card_number', true],
  ['cardNumber', true],
  ['iban', true],
  ['ssn', true],
  ['email', true],
  ['user.email', true],
  ['password_hash', true],
  // Ordinary data that only looks like it: kept.
  ['discard_reason', false],
  ['discarded', false],
  ['card_type', false],
  ['card_brand', false],
  ['card_last4', false],
  ['cardinality', false],
  ['scorecard', false],
  ['max_tokens', false],
  ['tokens_used', false],
  ['token_count', false],
  ['email_verified', false],
  ['secretary', false],
  ['password_length', false],
  ['token_expires_at', false],
  ['spinner', false],
  ['passenger', false],
  ['order_id', false],
  ['score', false],
];

describe('default key rules', () => {
  it.each(KEYS)('%s → redacted: %s', (key, redacted) => {
    expect(defaultRedactor.redacts(key)).toBe(redacted);
  });

  it('has a table of at least 40 keys', () => {
    expect(KEYS.length).toBeGreaterThanOrEqual(40);
  });

  it('judges a key longer than any cache by the whole key (never a cut one)', () => {
    expect(defaultRedactor.redacts(`${'a'.repeat(3_000)}_password`)).toBe(true);
    expect(defaultRedactor.redacts(`${'x'.repeat(10_000)}password${'x'.repeat(10_000)}`)).toBe(
      true,
    );
    expect(defaultRedactor.redacts('a'.repeat(3_000))).toBe(false);
  });

  it('remembers a bounded number of verdicts, and still judges right past the bound', () => {
    const redactor = new Redactor(['secret']);
    for (let i = 0; i < 10_000; i++) expect(redactor.redacts(`field_${i}`)).toBe(false);
    expect(redactor.redacts('my_secret')).toBe(true);
  });

  it('takes configured terms as words: `note` matches internal_note, not notebook', () => {
    const redactor = new Redactor(['note']);
    expect(redactor.redacts('internal_note')).toBe(true);
    expect(redactor.redacts('notebook')).toBe(false);
    expect(redactor.redacts('password')).toBe(false);
  });
});

describe('value rules', () => {
  const redactor = new Redactor([], ['jwt', 'bearer', 'card', /\bAKIA[0-9A-Z]{16}\b/]);
  const jwt =
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

  it.each([
    [`session ${jwt} ok`, 'session [REDACTED] ok'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [REDACTED]'],
    ['paid with 4111 1111 1111 1111.', 'paid with [REDACTED].'],
    ['paid with 4111-1111-1111-1111', 'paid with [REDACTED]'],
    ['order 4111111111111112 (fails Luhn)', 'order 4111111111111112 (fails Luhn)'],
    ['key AKIAIOSFODNN7EXAMPLE here', 'key [REDACTED] here'],
    ['nothing to see', 'nothing to see'],
  ])('%s', (input, output) => {
    expect(redactor.scrub(input)).toBe(output);
  });

  it('checks Luhn', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });

  it('refuses an unknown rule where it is given', () => {
    expect(() => new Redactor([], ['ssn' as never])).toThrow(TypeError);
  });
});

describe('URL query parameters', () => {
  it.each([
    ['/login?user=ann&access_token=abc', '/login?user=ann&access_token=[REDACTED]'],
    ['https://x.test/a?api_key=1;page=2#f', 'https://x.test/a?api_key=[REDACTED];page=2#f'],
    ['access_token=abc&sort=asc', 'access_token=[REDACTED]&sort=asc'],
    ['/p?card_type=visa', '/p?card_type=visa'],
  ])('%s', (input, output) => {
    expect(redactQuery(input, defaultRedactor)).toBe(output);
  });
});

describe('in a traced request', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel();
  });
  afterEach(async () => {
    await h.teardown();
  });

  async function emitted(fn: () => void, options?: stepmark.StepmarkOptions): Promise<Trace> {
    await h.request(fn, options);
    const [trace] = await h.traces();
    if (trace === undefined) throw new Error('no trace emitted');
    return trace;
  }

  it('checks nested keys whole before they are cut to maxStringLength', async () => {
    const long = `${'a'.repeat(3_000)}_password`;
    const trace = await emitted(
      () =>
        stepmark.record('s', 'a', {
          billing: { customer_account_password: 'hunter2', [long]: 'hunter2' },
        }),
      { maxStringLength: 20 },
    );
    const billing = trace.events?.[0]?.meta?.billing as Record<string, unknown>;
    expect(Object.values(billing)).toEqual(['[REDACTED]', '[REDACTED]']);
    expect(JSON.stringify(trace)).not.toContain('hunter2');
  });

  it('keeps card_last4 and card_type, as the demo prints them', async () => {
    const trace = await emitted(() =>
      stepmark.recordEntity('order_42', 'payment', 'authorized', {
        card_type: 'visa',
        card_last4: '4242',
        card_number: '4242424242424242',
      }),
    );
    expect(trace.entities?.order_42?.events[0]?.meta).toEqual({
      card_type: 'visa',
      card_last4: '4242',
      card_number: '[REDACTED]',
    });
  });

  it('redacts span attributes that reach spans[].tags, the URL query included', async () => {
    const trace = await emitted(() => {
      const span = otelTrace.getActiveSpan();
      span?.setAttributes({
        'user.password': 'hunter2',
        'http.request.header.authorization': 'Basic aHVudGVyMg==',
        'url.query': 'access_token=hunter2&page=2',
        'http.route': '/orders/:id',
      });
      stepmark.record('s', 'a');
    });
    const tags = trace.spans?.[0]?.tags ?? {};
    expect(tags['user.password']).toBe('[REDACTED]');
    expect(tags['http.request.header.authorization']).toBe('[REDACTED]');
    expect(tags['url.query']).toBe('access_token=[REDACTED]&page=2');
    expect(tags['http.route']).toBe('/orders/:id');
    expect(JSON.stringify(trace)).not.toContain('hunter2');
  });

  it('scrubs values under innocent keys when redactValues asks, in meta and tags', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const trace = await emitted(
      () => {
        otelTrace.getActiveSpan()?.setAttribute('app.note', `card 4111 1111 1111 1111`);
        stepmark.record('s', 'a', { note: `token ${jwt}`, nested: { n: '4111111111111111' } });
      },
      { redactValues: ['jwt', 'card'] },
    );
    expect(trace.events?.[0]?.meta).toEqual({
      note: 'token [REDACTED]',
      nested: { n: '[REDACTED]' },
    });
    expect(trace.spans?.[0]?.tags?.['app.note']).toBe('card [REDACTED]');
  });

  it('turns key redaction off with redactKeys: []', async () => {
    const trace = await emitted(() => stepmark.record('s', 'a', { password: 'shown' }), {
      redactKeys: [],
    });
    expect(trace.events?.[0]?.meta).toEqual({ password: 'shown' });
  });
});
