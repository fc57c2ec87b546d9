// stepmark-otel/viewer: traces as one self-contained HTML page. Hand-written: named exports only.
export { renderHtml } from './renderHtml.js';
export { DEFAULT_TITLE, type ViewerOptions } from './ViewerOptions.js';
export {
  AUTHORIZE_TIMEOUT_MS,
  DEFAULT_VIEWER_LIMIT,
  viewerRoute,
  type RecentTraceSource,
  type ViewerRoute,
  type ViewerRouteOptions,
} from './viewerRoute.js';
export { CONTENT_SECURITY_POLICY } from './contentSecurityPolicy.js';
export { PAGE_LIMITS, FAILING_WORDS } from './preparePage.js';
