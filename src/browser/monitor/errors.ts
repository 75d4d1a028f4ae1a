// Errors → BrowserErrorLog: JS errors and failed resources (one capturing `error` listener,
// told apart by the event's target), unhandled rejections, failed fetch/XHR calls and
// agent.reportError(). Listeners only: window.onerror stays the page's.
import { tagUrl } from '../url.js';
import { ERRORS } from './send.js';
import type { Ctx } from './types.js';
import { on, own } from './util.js';

// Elements whose failed load fires `error` at them (it does not bubble: hence capture).
const RESOURCE = ['IMG', 'SCRIPT', 'LINK', 'VIDEO', 'AUDIO', 'SOURCE', 'IFRAME'];
const EXTENSION = /(chrome|moz|safari-web)-extension:/;
// Distinct errors per page view: a page stuck in an error loop reports a bounded amount.
const MAX_PER_VIEW = 100;
// The error categories OAP knows; js, promise and vue count for the error rate (firstReportedError).
const CATEGORY = /^(ajax|resource|vue|promise|js)$/;

/** A random (v4) UUID: OAP before 10.4 drops an error log without one. `crypto.randomUUID` needs a secure context. */
export const uuid = (): string =>
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16));

type Report = (category: string, message: unknown, errorUrl: string, stack?: unknown, line?: number, col?: number, grade?: string) => void;

/** Reports errors until `ctx.signal` aborts (the monitor then unsets the hooks). */
export function install(ctx: Ctx): void {
  const o = ctx.opts;
  const ignore = ([] as Array<string | RegExp>).concat(o.ignoreErrors ?? []);
  let view = -1;
  let seen = new Set<string>();
  let first = true;
  const report: Report = (category, message, errorUrl, stack, line = 0, col = 0, grade = 'Error') => {
    const text = String(message).slice(0, 1024);
    const trace = String(stack || '').slice(0, 4096);
    if (ctx.viewNo != view) {
      view = ctx.viewNo;
      seen = new Set();
      first = true;
    }
    const key = [category, text, errorUrl, line, col].join();
    if (
      seen.has(key) ||
      seen.size >= MAX_PER_VIEW ||
      (!on(o.extensionErrors, false) && EXTENSION.test(errorUrl + trace)) ||
      // A cross-origin script's error, muted by the browser: no stack, no location.
      (on(o.dropScriptErrors, false) && text == 'Script error.' && !trace) ||
      ignore.some((t) => ((t as RegExp).test ? (t as RegExp).test(text) : text.includes(t as string)))
    )
      return;
    seen.add(key);
    // Exactly one per page view: OAP's error rate is first-error page views ÷ page views.
    const firstReportedError = first && /^(js|promise|vue)$/.test(category);
    if (firstReportedError) first = false;
    ctx.emitRecord(ERRORS, { uniqueId: uuid(), time: Date.now(), category, grade, message: text, line, col, stack: trace, errorUrl, firstReportedError });
  };
  const listen = <E extends Event>(type: string, fn: (e: E) => void) =>
    addEventListener(
      type,
      (e) => {
        try {
          fn(e as E);
        } catch {
          // Never reaches the page.
        }
      },
      { capture: true, signal: ctx.signal },
    );
  listen<ErrorEvent>('error', (e) => {
    const t = e.target as HTMLElement & { src?: string; href?: string };
    if (e instanceof ErrorEvent) report('js', e.message, e.filename || location.href, e.error?.stack, e.lineno, e.colno);
    else if (RESOURCE.includes(t?.tagName)) report('resource', `load ${t.tagName} resource error`, t.src || t.href || location.href, '', 0, 0, t.tagName == 'IMG' ? 'Warning' : 'Error');
  });
  listen<PromiseRejectionEvent>('unhandledrejection', (e) => {
    const r = e.reason;
    report('promise', r?.message ?? r, location.href, r?.stack);
  });
  if (on(o.ajaxErrors, true))
    ctx.hooks.fail = (url, status, text) => {
      try {
        if (!own(ctx.base, url.origin + url.pathname)) report('ajax', `status: ${status}; statusText: ${text};`, tagUrl(url));
      } catch {
        // Never reaches the page.
      }
    };
  ctx.caught = (err, category) => {
    try {
      const e = err as Error | undefined;
      report(CATEGORY.test(category!) ? category! : 'js', e?.message ?? e, location.href, e?.stack);
    } catch {
      // Never reaches the caller.
    }
  };
}
