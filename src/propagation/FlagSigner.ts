import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * What the HMAC covers before the trace id. A fixed prefix keeps a flag signature from being
 * anything else signed with the same secret (e.g. a token reused as the key).
 */
const DOMAIN = 'stepmark-otel/flag/v1:';
/** Bytes of the HMAC-SHA256 kept: 128 bits, 22 base64url characters in the baggage entry. */
const SIGNATURE_BYTES = 16;
const SIGNATURE_CHARS = 22;

/** Environment variables the key is read from by default, in this order. */
export const FLAG_KEY_ENV = ['STEPMARK_FLAG_KEY', 'STEPMARK_TOKEN'] as const;

/**
 * Signs and checks the baggage flag `stepmark=1` of one trace, with a secret the services
 * share: the signature (`stepmark.sig`) is the base64url of the first 16 bytes of
 * HMAC-SHA256(key, `stepmark-otel/flag/v1:` + trace id), so it is good for that trace id only.
 * @example const signer = new FlagSigner(secret); signer.verify(traceId, signer.sign(traceId)) // true
 */
export class FlagSigner {
  readonly #key: KeyObject;

  /** `key`: the shared secret (a string is taken as UTF-8); must not be empty. */
  constructor(key: string | Uint8Array) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (bytes.length === 0) throw new RangeError('stepmark-otel: flagKey must not be empty');
    this.#key = createSecretKey(bytes);
  }

  /** The `stepmark.sig` value for `traceId`. */
  sign(traceId: string): string {
    return this.#digest(traceId).toString('base64url');
  }

  /** Whether `signature` is this key's signature for `traceId`, compared in constant time. */
  verify(traceId: string | undefined, signature: string | undefined): boolean {
    if (traceId === undefined || signature?.length !== SIGNATURE_CHARS) return false;
    const given = Buffer.from(signature, 'base64url');
    // Base64url decoding skips bad characters: a shorter result is a malformed signature.
    if (given.length !== SIGNATURE_BYTES) return false;
    return timingSafeEqual(given, this.#digest(traceId));
  }

  #digest(traceId: string): Buffer {
    return createHmac('sha256', this.#key)
      .update(DOMAIN)
      .update(traceId)
      .digest()
      .subarray(0, SIGNATURE_BYTES);
  }
}

/**
 * The signer of the HTTP option `flagKey`: the key given, none for `false`, and by default the
 * first non-empty of `STEPMARK_FLAG_KEY` and `STEPMARK_TOKEN` (read once, here). Throws a
 * `TypeError`/`RangeError` naming `flagKey` for anything else.
 * @example const signer = flagSignerOf(undefined); // from the environment, or undefined
 */
export function flagSignerOf(
  flagKey: string | Uint8Array | false | undefined,
  env: NodeJS.ProcessEnv = process.env,
): FlagSigner | undefined {
  if (flagKey === false) return undefined;
  if (flagKey === undefined) {
    for (const name of FLAG_KEY_ENV) {
      const value = env[name];
      if (value) return new FlagSigner(value);
    }
    return undefined;
  }
  if (typeof flagKey !== 'string' && !(flagKey instanceof Uint8Array))
    throw new TypeError('stepmark-otel: flagKey must be a string, a Buffer or false');
  return new FlagSigner(flagKey);
}
