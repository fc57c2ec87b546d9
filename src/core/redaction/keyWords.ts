/**
 * The words of a meta key or attribute name, lower-cased: split at every character that is not a
 * letter or digit, and at camelCase humps. Redaction matches whole words, so that `discard_reason`
 * is not a `card` and `secretary` is not a `secret`.
 * @example keyWords('X-Api-Key') // ['x', 'api', 'key']
 * @example keyWords('cardNumberLast4') // ['card', 'number', 'last4']
 * @example keyWords('APIKey') // ['api', 'key']
 */
export function keyWords(key: string): string[] {
  return key
    .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}
