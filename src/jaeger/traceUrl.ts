/**
 * The address of a trace in Jaeger's UI, which Jaeger's query service serves at `/trace/<id>`
 * beside its API. A user and password in `jaegerUrl` are left out (the link is shown to people),
 * and so are its query and fragment. Throws a TypeError when `jaegerUrl` is no URL.
 * @example jaegerTraceUrl('http://localhost:16686/', 'AB12…') // 'http://localhost:16686/trace/ab12…'
 */
export function jaegerTraceUrl(jaegerUrl: string, traceId: string): string {
  const url = new URL(jaegerUrl);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return `${url.href.replace(/\/+$/, '')}/trace/${traceId.toLowerCase()}`;
}
