// docs/semantic-conventions.md is a published contract: every `stepmark.*` name the code writes
// is listed there with the constant that holds it, and every name listed is one the code has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'semantic-conventions.md'), 'utf8');

/** `[name, constant]` of every table row whose first cell is a backticked name. */
function documented(): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const match of doc.matchAll(/^\|\s*`([^`]+)`\s*\|\s*(`([A-Z_]+)`|—)\s*\|/gm)) {
    rows.push([match[1] as string, match[3] ?? '']);
  }
  return rows;
}

/** A prefix constant (`stepmark.meta.`) is documented with its placeholder (`stepmark.meta.<key>`). */
function asDocumented(value: string): string {
  return value.endsWith('.') ? `${value}<key>` : value;
}

/** Every string literal naming something `stepmark.*` in src/, with the file it is in. */
function literalsInSource(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/'(stepmark\.[a-z_.]*)'/g))
          found.push([m[1] as string, path]);
      }
    }
  };
  walk(join(root, 'src'));
  return found;
}

describe('docs/semantic-conventions.md', () => {
  const rows = documented();
  const exported = stepmark as unknown as Record<string, unknown>;

  it('lists each name with the exported constant that holds it', () => {
    expect(rows.length).toBeGreaterThan(20);
    for (const [name, constant] of rows) {
      if (constant === '') continue; // the `<stage>: <action>` pattern
      expect(typeof exported[constant], `${constant} is exported`).toBe('string');
      expect(asDocumented(exported[constant] as string), constant).toBe(name);
    }
  });

  it('lists every name constant the package exports', () => {
    const names = Object.entries(exported).filter(
      ([key, value]) =>
        /^(ATTR|EVENT)_|_(SPAN|KEY|ATTRIBUTE)$/.test(key) &&
        typeof value === 'string' &&
        value.startsWith('stepmark'),
    );
    expect(names.length).toBeGreaterThan(20);
    for (const [key, value] of names) {
      expect(rows, `${key} = ${String(value)}`).toContainEqual([
        asDocumented(value as string),
        key,
      ]);
    }
  });

  it('lists every stepmark.* name written in the source', () => {
    const listed = new Set(rows.map(([name]) => name));
    const prefixes = [...listed].filter((n) => n.endsWith('<key>')).map((n) => n.slice(0, -5));
    for (const [name, file] of literalsInSource()) {
      const known = listed.has(name) || prefixes.some((p) => name.startsWith(p));
      expect(known, `${name} in ${file}`).toBe(true);
    }
  });

  it('states the version the code writes on the local root span', () => {
    expect(doc).toContain(`Conventions version: **${stepmark.CONVENTIONS_VERSION}**`);
  });
});
