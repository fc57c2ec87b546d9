/** Meta keys redacted by default: any key containing one of these words (case-insensitive). */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'authorization',
  'cookie',
  'api_key',
  'apikey',
  'card',
  'cvv',
  'iban',
  'ssn',
  'email',
];

/** What a redacted value becomes. */
export const REDACTED = '[REDACTED]';

/** Most meta keys repeat: remember the verdict per key (bounded, like any cache here). */
const MAX_VERDICTS = 4_096;
const MAX_CACHED_KEY_LENGTH = 128;

/**
 * Decides which meta keys hold sensitive values. A key is redacted when it contains one of the
 * configured words, case-insensitively (`user_email`, `X-Auth-Token`, `cardNumber`).
 */
export class Redactor {
  readonly #words: readonly string[];
  readonly #verdicts = new Map<string, boolean>();

  constructor(words: readonly string[]) {
    this.#words = words.map((w) => w.toLowerCase()).filter((w) => w.length > 0);
  }

  /** Whether the value under `key` must be replaced by REDACTED. */
  redacts(key: string): boolean {
    if (this.#words.length === 0) return false;
    let verdict = this.#verdicts.get(key);
    if (verdict === undefined) {
      const lower = key.toLowerCase();
      verdict = this.#words.some((w) => lower.includes(w));
      // Only ordinary keys: a huge key (a request field used as a key) must not be pinned here.
      if (this.#verdicts.size < MAX_VERDICTS && key.length <= MAX_CACHED_KEY_LENGTH) {
        this.#verdicts.set(key, verdict);
      }
    }
    return verdict;
  }
}

/** The redactor of the default word list, shared by every session that does not configure one. */
export const defaultRedactor = new Redactor(DEFAULT_REDACT_KEYS);

/** The redactor for a `redactKeys` option: default words, none (`[]`), or the given words. */
export function redactorFor(words: readonly string[] | undefined): Redactor {
  return words === undefined ? defaultRedactor : new Redactor(words);
}
