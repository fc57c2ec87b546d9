import type { Trace } from '../../types.js';
import { durationMicros, forestOf, formatMs, nameOf } from './spanValues.js';
import type { SpanNode } from './spanTree.js';

/** Same-named spans under one parent (or same-named roots), summed. */
interface Group {
  name: string;
  /** Total duration of the group's spans, in microseconds. */
  micros: number;
  /** Total duration of their children, in microseconds. */
  childMicros: number;
  /** By span name, in order of first appearance. */
  children: Map<string, Group>;
}

/**
 * The trace's span tree as SankeyMATIC input (https://sankeymatic.com/build/): one line
 * `Parent [ms] Child` per parent and child name, where same-named siblings are one node and their
 * durations summed (same-named roots too), and then `Parent [ms] Parent (self)` for the time the
 * parent spent outside its children (its total minus theirs, when positive), so a node's outflow
 * equals its inflow unless its children overlap in time. Amounts are ms with up to 3 decimals,
 * computed in whole microseconds so they add up exactly. Lines go parent by parent in display
 * order. A name that occurs at two places in the tree gets ` (2)`, ` (3)`, … at the later
 * places (SankeyMATIC merges nodes by name). Names are made safe for the line grammar: line breaks
 * and other control or blank characters become one space, `[` `]` become `［` `］`, a leading
 * `'` `//` `:` (a comment or a node line), a trailing `'` or `#word` (a setting, a flow colour) or
 * `1, 2` (a move line) get a fullwidth character, an empty name is `(unnamed)`. A trace with no
 * parent span gives `''`; a malformed trace never throws.
 * @example toSankey(trace) // 'POST /checkout [12.5] validate\n…'
 */
export function toSankey(trace: Trace): string {
  const roots = groupsOf(forestOf(trace));
  const names = new UniqueNames();
  const lines: string[] = [];
  const stack = [...roots.values()].reverse();
  while (stack.length > 0) {
    const group = stack.pop() as Group;
    if (group.children.size === 0) continue;
    const source = names.of(group);
    for (const child of group.children.values())
      lines.push(`${source} [${formatMs(child.micros)}] ${names.of(child)}`);
    const self = group.micros - group.childMicros;
    if (self > 0) lines.push(`${source} [${formatMs(self)}] ${names.self(group)}`);
    const children = [...group.children.values()];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Group);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The forest folded by name path. Iterative, as `spanForest`, for very deep trees. */
function groupsOf(forest: SpanNode[]): Map<string, Group> {
  const roots = new Map<string, Group>();
  const stack: Array<[SpanNode, Map<string, Group>]> = forest.map((root) => [root, roots]);
  stack.reverse();
  while (stack.length > 0) {
    const [node, siblings] = stack.pop() as [SpanNode, Map<string, Group>];
    const name = nameOf(node.span);
    let group = siblings.get(name);
    if (group === undefined) {
      group = { name, micros: 0, childMicros: 0, children: new Map() };
      siblings.set(name, group);
    }
    group.micros += durationMicros(node.span);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as SpanNode;
      group.childMicros += durationMicros(child.span);
      stack.push([child, group.children]);
    }
  }
  return roots;
}

/** SankeyMATIC node names, one per group, unique, given in the order they are first asked for. */
class UniqueNames {
  #byGroup = new Map<Group, string>();
  #selfByGroup = new Map<Group, string>();
  #taken = new Set<string>();
  /** Per base name, the next suffix to try, so n repeats of a name cost O(n), not O(n²). */
  #nextSuffix = new Map<string, number>();

  of(group: Group): string {
    let name = this.#byGroup.get(group);
    if (name === undefined) {
      name = this.#claim(sankeyName(group.name));
      this.#byGroup.set(group, name);
    }
    return name;
  }

  self(group: Group): string {
    let name = this.#selfByGroup.get(group);
    if (name === undefined) {
      name = this.#claim(`${this.of(group)} (self)`);
      this.#selfByGroup.set(group, name);
    }
    return name;
  }

  #claim(base: string): string {
    let name = base;
    let suffix = this.#nextSuffix.get(base) ?? 2;
    while (this.#taken.has(name)) name = `${base} (${suffix++})`;
    this.#nextSuffix.set(base, suffix);
    this.#taken.add(name);
    return name;
  }
}

/** Fullwidth form of an ASCII character (`[` → `［`): looks alike, is no syntax to SankeyMATIC. */
function fullwidth(char: string): string {
  return String.fromCharCode(char.charCodeAt(0) + 0xfee0);
}

/**
 * A span name as a SankeyMATIC node name. SankeyMATIC trims each line and reads it, in this
 * order, as a move line (`move A 1, 2`), a setting (`word word 'text'`), a comment (`'` or `//`),
 * a node line (`:Name #color`), then a flow `Source [amount] Target #color`; a name must not let
 * a flow line read as any of the others, nor end the source early, nor end in a colour.
 */
function sankeyName(name: string): string {
  let out = name
    .replace(/[\s\p{Cc}\u200b]+/gu, ' ')
    .trim()
    .replace(/[[\]]/g, fullwidth);
  if (out === '') return '(unnamed)';
  out = out.replace(/^(?:'|\/\/|:)/, (prefix) => fullwidth(prefix.charAt(0)) + prefix.slice(1));
  out = out.replace(/'$/, fullwidth);
  out = out.replace(/(\s)#(\S*)$/, '$1＃$2');
  out = out.replace(/(^|\s)(-?\d(?:.\d+)?), (-?\d(?:.\d+)?)$/, '$1$2， $3');
  return out;
}
