// The two places where the server writes text into the page: the HTML around the data (the title)
// and the JSON data block. Everything else the page shows is set by the client with textContent.

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` for an HTML element's content or a quoted attribute value: `& < > " '` as entities.
 * @example escapeHtml('<b>') // '&lt;b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * `value` as JSON for a `<script type="application/json">` block: `<`, `>` and `&` as `\u`
 * escapes, so that neither `</script>` nor `<!--` can appear in it whatever the strings say, and
 * U+2028/U+2029 too (line terminators in older JavaScript). `JSON.parse` reads it back unchanged.
 * @example jsonForScript({ id: '</script>' }) // '{"id":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
