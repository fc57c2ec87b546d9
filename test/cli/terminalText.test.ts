import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/cli/terminalText.js';

/** The characters the escape must catch, by the ranges of the issue. */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  /^[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]$/;

/** Reads the output back: `\\`, `\xHH`, `\uHHHH`, `\n`, `\r`, `\t`; any other backslash is itself. */
function readBack(text: string): string {
  return text.replace(/\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])/g, (_all, code: string) => {
    if (code === '\\') return '\\';
    if (code === 'n') return '\n';
    if (code === 'r') return '\r';
    if (code === 't') return '\t';
    return String.fromCharCode(parseInt(code.slice(1), 16));
  });
}

describe('terminalText', () => {
  it('shows each control a terminal acts on as a visible escape', () => {
    expect(terminalText('a\u001b]0;pwned\u0007b')).toBe('a\\x1b]0;pwned\\x07b');
    expect(terminalText('\u001b[2J')).toBe('\\x1b[2J');
    expect(terminalText('ok\rfake\nline\tx')).toBe('ok\\rfake\\nline\\tx');
    expect(terminalText('\u0000\u007f\u0085\u009b31m')).toBe('\\x00\\x7f\\x85\\x9b31m');
    expect(terminalText('\u202egnp.exe\u2066\u061c\u200e\u200f')).toBe(
      '\\u202egnp.exe\\u2066\\u061c\\u200e\\u200f',
    );
    expect(terminalText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('leaves no control in the output and every other character as it is', () => {
    const wrong: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (char === '\\') continue;
      const out = terminalText(char);
      const ok = CONTROL.test(char)
        ? /^\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])$/.test(out)
        : out === char;
      if (!ok) wrong.push(`U+${code.toString(16).padStart(4, '0')} -> ${JSON.stringify(out)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('passes accents, CJK and emoji through unchanged', () => {
    const text = 'Zoë Ångström 注文 مرحبا 📦 👩‍👩‍👧 🇫🇷';
    expect(terminalText(text)).toBe(text);
  });

  it('doubles a backslash only where it could be read as part of an escape', () => {
    expect(terminalText('C:\\Users\\Ann')).toBe('C:\\Users\\Ann');
    expect(terminalText('ends with \\')).toBe('ends with \\');
    expect(terminalText('\\x1b')).toBe('\\\\x1b'); // the four characters, not ESC
    expect(terminalText('C:\\new')).toBe('C:\\\\new');
    expect(terminalText('\\\\')).toBe('\\\\\\');
    expect(terminalText('\\\u001b')).toBe('\\\\\\x1b');
  });

  it('reads back to exactly the input', () => {
    const alphabet = ['\\', 'x', 'u', 'n', 'r', 't', '1', 'b', 'e', '\u001b', '\n', '\r', '\t'];
    alphabet.push('\u202e', '\u009b', '\u2028', 'é', '📦');
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let n = next() % 12; n > 0; n--) text += alphabet[next() % alphabet.length];
      expect(readBack(terminalText(text))).toBe(text);
    }
  });

  it('takes linear time on adversarial input', () => {
    const started = performance.now();
    for (const text of ['\\'.repeat(200_000), '\u001b'.repeat(200_000), '\\\u001b'.repeat(1e5)])
      terminalText(text);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
