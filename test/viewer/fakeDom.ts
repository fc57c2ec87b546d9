// A DOM just big enough to run the viewer's client script in Node (what ClientDom.ts declares):
// elements with children, text, classes, attributes and listeners; timers and animation frames
// that run when the test says. It has no HTML parser and no innerHTML: the client builds
// everything with createElement and textContent, and that is all it can use here too. What the
// page looks like in a browser is test/browser/viewer.browser.test.ts.
import type {
  ClientDocument,
  ClientElement,
  ClientEvent,
  ClientInput,
  ClientStyle,
  ClientWindow,
} from '../../src/viewer/ClientDom.js';
import { CLIENT_SCRIPT } from '../../src/viewer/contentSecurityPolicy.js';

export class FakeElement implements ClientInput {
  readonly children: FakeElement[] = [];
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Array<(event: ClientEvent) => void>>();
  readonly style: ClientStyle = { top: '', height: '', left: '', width: '', paddingLeft: '' };
  className = '';
  hidden = false;
  tabIndex = -1;
  scrollTop = 0;
  readonly clientHeight = 0;
  value = '';
  /** A text node's text. */
  private text: string | null = null;

  constructor(
    readonly tagName: string,
    readonly namespace?: string,
  ) {}

  get textContent(): string | null {
    if (this.tagName === '#text') return this.text;
    return this.children.map((child) => child.textContent ?? '').join('');
  }

  set textContent(value: string | null) {
    if (this.tagName === '#text') {
      this.text = value;
      return;
    }
    this.children.length = 0;
    if (value !== null && value !== '') {
      const node = new FakeElement('#text');
      node.text = value;
      this.children.push(node);
    }
  }

  appendChild(child: ClientElement): ClientElement {
    this.children.push(child as FakeElement);
    return child;
  }

  replaceChildren(...children: ClientElement[]): void {
    this.children.length = 0;
    this.children.push(...(children as FakeElement[]));
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }

  addEventListener(type: string, listener: (event: ClientEvent) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  focus(): void {}

  /** Runs the listeners of `type`. */
  fire(type: string, key?: string): void {
    const event: ClientEvent = {
      target: this,
      preventDefault: () => undefined,
      ...(key === undefined ? {} : { key }),
    };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** Every element below this one (depth first) whose classes include all of `classes`. */
  all(...classes: string[]): FakeElement[] {
    const found: FakeElement[] = [];
    const stack: FakeElement[] = [...this.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop() as FakeElement;
      const own = node.className.split(' ');
      if (classes.every((c) => own.includes(c))) found.push(node);
      stack.push(...[...node.children].reverse());
    }
    return found;
  }

  /** Every element below this one with that tag name. */
  tags(tag: string): FakeElement[] {
    const found: FakeElement[] = [];
    const stack: FakeElement[] = [...this.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop() as FakeElement;
      if (node.tagName === tag) found.push(node);
      stack.push(...[...node.children].reverse());
    }
    return found;
  }
}

/** A page's shell (the ids renderHtml writes), its data block holding `json`, and the client run on it. */
export interface FakePage {
  doc: ClientDocument;
  byId(id: string): FakeElement;
  /** Runs the timers and animation frames due (the search's debounce, scroll redraws). */
  flush(): void;
  /** Types `text` in the search box and applies it. */
  search(text: string): void;
}

/** Runs the page's inlined script (`CLIENT_SCRIPT`, as the browser would) on a fake DOM. */
export function runClient(json: string): FakePage {
  const ids = new Map<string, FakeElement>();
  for (const [id, tag] of [
    ['stepmark-data', 'script'],
    ['page-notes', 'ul'],
    ['trace-list', 'nav'],
    ['traces', 'div'],
    ['trace', 'main'],
    ['search', 'input'],
    ['count', 'span'],
  ] as const) {
    ids.set(id, new FakeElement(tag.toUpperCase()));
  }
  (ids.get('stepmark-data') as FakeElement).textContent = json;
  const pending: Array<() => void> = [];
  const doc: ClientDocument & { listeners: FakeElement } = {
    documentElement: new FakeElement('HTML'),
    activeElement: null,
    listeners: new FakeElement('#document'),
    getElementById: (id) => ids.get(id) ?? null,
    createElement: (tag) => new FakeElement(tag.toUpperCase()),
    createElementNS: (namespace, tag) => new FakeElement(tag, namespace),
    createTextNode: (text) => {
      const node = new FakeElement('#text');
      node.textContent = text;
      return node;
    },
    addEventListener(type, listener) {
      this.listeners.addEventListener(type, listener);
    },
  };
  let timer = 0;
  const win: ClientWindow = {
    setTimeout: (callback) => {
      pending.push(callback);
      return ++timer;
    },
    clearTimeout: () => undefined,
    requestAnimationFrame: (callback) => {
      pending.push(callback);
      return ++timer;
    },
    addEventListener: () => undefined,
    performance: { now: () => 0, mark: () => undefined, measure: () => undefined },
  };
  // The script as the page inlines it, with the page's `document` and `window`.
  new Function('document', 'window', CLIENT_SCRIPT)(doc, win);
  const page: FakePage = {
    doc,
    byId: (id) => {
      const element = ids.get(id);
      if (element === undefined) throw new Error(`no #${id}`);
      return element;
    },
    flush: () => {
      while (pending.length > 0) (pending.shift() as () => void)();
    },
    search: (text) => {
      const box = page.byId('search');
      box.value = text;
      box.fire('input');
      page.flush();
    },
  };
  return page;
}
