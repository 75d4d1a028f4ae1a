// How a page request becomes an Exit span: named, tagged, propagated only where allowed.
import type { RequestHooks } from './hooks.js';
import type { SpanScope } from './span-scope.js';
import { peerOf, tagUrl } from './url.js';

/** What {@link requestHooks} needs to know about the agent. */
export interface RequestRules {
  /** The span scope: a request's parent. */
  scope: SpanScope;
  /** The page's endpoint name now. */
  page: () => string;
  /** Not traced: the agent's own reports and the user's ignore rules. */
  skip: (url: URL) => boolean;
  /** Receives sw8. */
  allowed: (url: URL) => boolean;
}

/** The hooks fetch and XHR call for each request. */
export function requestHooks({ scope, page, skip, allowed }: RequestRules): RequestHooks {
  return {
    begin(method, url, setHeader) {
      if (skip(url)) return undefined;
      const [context, parent] = scope.current();
      // In a user span, the request is named by its path; alone, by the page (as skywalking-client-js does).
      const span = context.createExitSpan(parent ? url.pathname : page(), parent, peerOf(url), allowed(url) ? { inject: setHeader } : null);
      // 10001: ComponentId.Ajax (the literal: the whole ComponentId table is not worth shipping).
      // Plain writes: both values are valid, and a span that records nothing ignores them.
      span.componentId = 10001;
      span.layer = 'Http';
      span.tag('http.method', String(method).toUpperCase()).tag('url', tagUrl(url));
      return span;
    },
    end(span, status, error) {
      try {
        if (status) span.tag('http.status_code', String(status));
        if (error !== undefined || status >= 400) span.error(error);
        span.end();
      } catch {
        // Never reaches the page: this runs in the page's own promise chains.
      }
    },
  };
}
