// Reads back what a viewer page holds, as a browser would find it: its data block, its inline
// script and style, its Content-Security-Policy.
import type { PageData } from '../../src/viewer/PageData.js';

/** The JSON data block as the page holds it (what the client script reads as its text). */
export function dataBlock(html: string): string {
  const match = /<script type="application\/json" id="stepmark-data">([^<]*)<\/script>/.exec(html);
  if (match === null) throw new Error('no data block in the page');
  return match[1] as string;
}

/** The JSON data block, parsed. */
export function pageData(html: string): PageData {
  return JSON.parse(dataBlock(html)) as PageData;
}

/** The text of every `<script>` element without a type (the ones a browser runs). */
export function runnableScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
}

/** The text of every `<style>` element. */
export function styles(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
}

/** The policy of the page's CSP `<meta>` tag, its attribute value unescaped. */
export function metaPolicy(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  if (match === null) throw new Error('no CSP meta tag in the page');
  return (match[1] as string)
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
