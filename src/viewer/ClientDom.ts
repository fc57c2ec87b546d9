// The part of the browser's DOM the viewer's client script uses, typed by hand.
//
// Why not `lib: ["DOM"]` or `/// <reference lib="dom" />`: either adds the DOM's globals
// (`document`, `window`, `Event`, a different `setTimeout`) to every file of the program, so Node
// code of the library would type-check against browser APIs it does not have. Here the client
// gets `document` and `window` as parameters typed with these interfaces, which are plain
// interfaces, not globals: nothing leaks, and the client is still type-checked and linted.
// Only what the client calls is declared; the real objects have all of it.

/** `element.style`: the CSSOM properties the client sets (allowed by the page's CSP, unlike style attributes). */
export interface ClientStyle {
  top: string;
  height: string;
  left: string;
  width: string;
  paddingLeft: string;
}

/** An event as the client reads it. */
export interface ClientEvent {
  readonly key?: string;
  readonly target: unknown;
  preventDefault(): void;
}

/** An HTML or SVG element. */
export interface ClientElement {
  textContent: string | null;
  className: string;
  hidden: boolean;
  tabIndex: number;
  scrollTop: number;
  readonly clientHeight: number;
  readonly tagName: string;
  readonly style: ClientStyle;
  appendChild(child: ClientElement): ClientElement;
  replaceChildren(...children: ClientElement[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: (event: ClientEvent) => void): void;
  focus(): void;
}

/** An `<input>`. */
export interface ClientInput extends ClientElement {
  value: string;
}

/** `document`. */
export interface ClientDocument {
  readonly documentElement: ClientElement;
  readonly activeElement: ClientElement | null;
  getElementById(id: string): ClientElement | null;
  createElement(tag: string): ClientElement;
  createElementNS(namespace: string, tag: string): ClientElement;
  createTextNode(text: string): ClientElement;
  addEventListener(type: string, listener: (event: ClientEvent) => void): void;
}

/** `window`. */
export interface ClientWindow {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  requestAnimationFrame(callback: () => void): number;
  addEventListener(type: string, listener: () => void): void;
  readonly performance: {
    now(): number;
    mark(name: string): void;
    measure(name: string, options: { start: number; end: number }): void;
  };
}
