// Text the CLI prints may come from anyone who can put a string into a trace (an end user's input
// becomes an entity id). A terminal acts on control characters in it: it retitles the window,
// clears the screen, moves the cursor back over real lines, opens hyperlinks, reverses text. So
// every such character is shown as a visible escape instead, and never silently deleted: the
// reader sees that something was there.

/**
 * Characters a terminal may act on: C0 controls (LF, CR and TAB too: a field stays on one line),
 * DEL, C1 controls (U+009B is an 8-bit CSI), the bidi controls, and the line and paragraph
 * separators. A backslash is matched only where it would otherwise be read as part of an escape
 * (see `terminalText`): before another backslash, before x, u, n, r or t, or before a character
 * that is itself escaped. Each alternative reads one character and looks ahead at most one, so the
 * replace is linear in the length of the text. No `u` flag: every target is one UTF-16 unit, and
 * the halves of a surrogate pair (emoji) match nothing.
 */
const CONTROLS = String.raw`\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069`;
const UNSAFE = new RegExp(String.raw`[${CONTROLS}]|\\(?=[\\xunrt${CONTROLS}])`, 'g');

/** Short escapes for the backslash and the controls people know by name; the rest are in hex. */
const NAMED: Readonly<Record<string, string>> = {
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\\': '\\\\',
};

function escape(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` made safe to print on a terminal: every character a terminal may act on is replaced by a
 * visible escape in JavaScript's string syntax: `\t`, `\n`, `\r`, `\xHH` for the other C0
 * controls, DEL and C1 controls, `\uHHHH` for the bidi controls and U+2028/U+2029 (hex in lower
 * case). Everything else, accents, CJK and emoji included, passes through unchanged.
 *
 * A backslash is doubled only where it would otherwise be ambiguous: before another backslash,
 * before `x`, `u`, `n`, `r` or `t`, or before an escaped character. So ordinary text keeps its
 * backslashes (`C:\Users` stays as it is), and the output still reads back exactly: `\\` is one
 * backslash, `\x1b` `\u202e` `\n` `\r` `\t` are the escaped characters, and any other backslash
 * is itself (the input `\x1b`, four characters, prints as `\\x1b`).
 *
 * @example terminalText('order_42\u001b]0;pwned\u0007') // 'order_42\\x1b]0;pwned\\x07'
 * @example terminalText('Zoë 注文 📦') // 'Zoë 注文 📦', unchanged
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escape);
}
