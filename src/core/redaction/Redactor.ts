import { keyWords } from './keyWords.js';
import { scrubOf, type ValueRule } from './valueRules.js';

/**
 * Meta keys and span attribute names redacted by default. Each entry is matched as whole words of
 * the key (see `keyWords`), in order: `api_key` matches `x-api-key` and `apiKey`; `apikey` matches
 * `apikey`. Not here on purpose: `card` alone (`card_type`, `card_brand`, `card_last4` are what
 * support staff read; the last four digits are what PCI DSS allows to be shown) and `tokens`
 * (`max_tokens` counts words).
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'pass_word',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'jwt',
  'bearer',
  'authorization',
  'cookie',
  'session',
  'credential',
  'credentials',
  'api_key',
  'apikey',
  'private_key',
  'privatekey',
  'access_key',
  'accesskey',
  'otp',
  'pin',
  'card_number',
  'cardnumber',
  'card_no',
  'card_num',
  'cc_number',
  'ccnumber',
  'pan',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'iban',
  'ssn',
  'social_security_number',
  'email',
  'e_mail',
];

/**
 * Last words that make a key describe a secret rather than hold it: `token_count`,
 * `email_verified`, `password_length`, `token_expires_at`, `card_number_last4`.
 */
const DESCRIBING_WORDS = new Set([
  'at',
  'attempts',
  'age',
  'brand',
  'count',
  'enabled',
  'expired',
  'expires',
  'expiry',
  'expiration',
  'format',
  'hint',
  'kind',
  'last4',
  'len',
  'length',
  'limit',
  'max',
  'min',
  'policy',
  'present',
  'provided',
  'reason',
  'required',
  'set',
  'size',
  'status',
  'strength',
  'ttl',
  'type',
  'used',
  'valid',
  'verified',
  'version',
]);

/** What a redacted value (or part of a value) becomes. */
export const REDACTED = '[REDACTED]';

/** Terms and value rules a redactor takes at most. */
const MAX_TERMS = 256;

/** Most keys repeat: verdicts are remembered for short keys, and forgotten all at once when full. */
const MAX_VERDICTS = 4_096;
const MAX_CACHED_KEY_LENGTH = 128;
/** Longer keys are data used as keys: checked by substring (may over-redact, never leaks). */
const MAX_WORDS_KEY_LENGTH = 4_096;

/**
 * Decides which keys hold sensitive values and, when asked, scrubs sensitive text out of values.
 * A key is redacted when one of the configured terms occurs in it as whole words (`user_email`,
 * `X-Auth-Token`, `cardNumber`), unless only describing words follow it (`email_verified`). Keys
 * are always checked whole, never cut.
 */
export class Redactor {
  /** Each term as its words: `['api', 'key']`. */
  readonly #terms: readonly (readonly string[])[];
  readonly #scrubs: ReadonlyArray<(text: string, replacement: string) => string>;
  #verdicts = new Map<string, boolean>();

  /**
   * Throws a TypeError for a value rule that is not one (see `ValueRule`), a RangeError for more
   * than 256 terms or rules (a list is read whole: a sparse one of length 2²⁶ would take seconds).
   */
  constructor(terms: readonly string[], valueRules: readonly ValueRule[] = []) {
    if (terms.length > MAX_TERMS || valueRules.length > MAX_TERMS) {
      throw new RangeError(`stepmark-otel: redactKeys and redactValues hold at most ${MAX_TERMS}`);
    }
    this.#terms = terms.map((term) => keyWords(String(term))).filter((words) => words.length > 0);
    this.#scrubs = valueRules.map(scrubOf);
  }

  /** Whether values are scrubbed (see `scrub`): then strings need a look, whatever their key. */
  get scrubsValues(): boolean {
    return this.#scrubs.length > 0;
  }

  /** Whether the value under `key` must be replaced by REDACTED. */
  redacts(key: string): boolean {
    if (this.#terms.length === 0) return false;
    let verdict = this.#verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.#judge(key);
      if (key.length <= MAX_CACHED_KEY_LENGTH) {
        // Keys that are data (one per request) must not pin memory or fill the cache for good.
        if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts = new Map();
        this.#verdicts.set(key, verdict);
      }
    }
    return verdict;
  }

  /** `text` with what the value rules find replaced by REDACTED; `text` itself when none applies. */
  scrub(text: string): string {
    let out = text;
    for (const scrub of this.#scrubs) out = scrub(out, REDACTED);
    return out;
  }

  #judge(key: string): boolean {
    if (key.length > MAX_WORDS_KEY_LENGTH) {
      const lower = key.toLowerCase();
      return this.#terms.some((words) => words.every((w) => lower.includes(w)));
    }
    const words = keyWords(key);
    for (const term of this.#terms) {
      const last = words.length - term.length;
      for (let at = 0; at <= last; at++) {
        if (term.every((w, i) => words[at + i] === w) && !onlyDescribed(words, at + term.length)) {
          return true;
        }
      }
    }
    return false;
  }
}

/** Whether the words after `from` are one or more describing words (`token` + `count`). */
function onlyDescribed(words: readonly string[], from: number): boolean {
  if (from >= words.length) return false;
  for (let i = from; i < words.length; i++) {
    if (!DESCRIBING_WORDS.has(words[i] as string)) return false;
  }
  return true;
}

/** The redactor of the default key list, shared by every session that does not configure one. */
export const defaultRedactor = new Redactor(DEFAULT_REDACT_KEYS);

/**
 * The redactor for the `redactKeys` and `redactValues` options: default terms, none (`[]`), or
 * the given ones; value rules only when asked.
 */
export function redactorFor(
  terms: readonly string[] | undefined,
  valueRules: readonly ValueRule[] | undefined,
): Redactor {
  if (terms === undefined && (valueRules === undefined || valueRules.length === 0)) {
    return defaultRedactor;
  }
  return new Redactor(terms ?? DEFAULT_REDACT_KEYS, valueRules);
}
