/**
 * Characters that mean nothing to Mermaid anywhere we put text: ASCII letters and digits, the
 * space, `. , _ - / ( )`, and Unicode letters, marks and digits (so names in any script stay
 * readable in the source). Everything else is syntax somewhere: `"` ends a label, `#` and `;`
 * frame entity codes, `:` `#` `;` `%` split or comment a gantt line, `%%` starts a comment or a
 * directive, `<` is HTML, `$$` is KaTeX, a backtick starts a markdown string, `°` and `¶` are
 * what Mermaid itself turns entity codes into while it parses.
 */
const PLAIN = /^[A-Za-z0-9 .,_/()\-\p{L}\p{M}\p{N}]$/u;

/**
 * Where Mermaid reads text again after decoding its entity codes, and a WORD JOINER (U+2060,
 * invisible) goes: inside `ﬂ°` and `¶ß` (its entity placeholders, decoded a second time in the
 * finished SVG), inside `$$` (KaTeX) and after the `:` of `fa:fa-name` (a Font Awesome icon).
 */
const REREAD = /ﬂ(?=°)|¶(?=ß)|\$(?=\$)|:(?=fa-)/g;

/**
 * `text` as Mermaid text that cannot break the diagram around it: every character outside a
 * small plain set (see `PLAIN`) becomes Mermaid's entity code `#<decimal code point>;`, which
 * Mermaid turns back into the character in the rendered SVG. A line break renders as one (in a
 * flowchart label) or as a space (gantt); a lone surrogate renders as U+FFFD.
 * Mermaid decodes a flowchart label and then reads it again for KaTeX (`$$x$$`) and icons
 * (`fa:fa-car`), and decodes its placeholders `ﬂ°°` `ﬂ°` `¶ß` a second time in the finished SVG:
 * an invisible WORD JOINER (U+2060) breaks each of these sequences (see `REREAD`), so the text
 * renders as written.
 * @example mermaidText('say "hi"; 50%') // 'say #34;hi#34;#59; 50#37;'
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const char of text.replace(REREAD, '$&\u2060'))
    out += PLAIN.test(char) ? char : entity(char);
  return out;
}

/** One character as Mermaid's entity code: `#` → `#35;`. */
export function entity(char: string): string {
  return `#${char.codePointAt(0) ?? 0};`;
}
