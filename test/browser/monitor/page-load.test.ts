// The page-load formulas, on stand-in Performance objects: NT2 first, legacy timing as the
// fallback, never a negative value, fmpTime only when measured.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageTimings } from '../../../src/browser/monitor/page-load.js';

const NAV = {
  redirectStart: 1, redirectEnd: 3.9, fetchStart: 4, domainLookupStart: 5, domainLookupEnd: 8.5, connectStart: 9, secureConnectionStart: 0, connectEnd: 12,
  requestStart: 13, responseStart: 20, responseEnd: 30, domInteractive: 50, domContentLoadedEventEnd: 60, loadEventStart: 55,
};

function stub(nav: object | undefined, timing: object = {}, fcp?: number) {
  vi.stubGlobal('performance', {
    getEntriesByType: (t: string) => (t === 'navigation' && nav ? [nav] : []),
    getEntriesByName: (n: string) => (n === 'first-contentful-paint' && fcp !== undefined ? [{ startTime: fcp }] : []),
    timing,
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('pageTimings', () => {
  it('computes every field from the Navigation Timing 2 entry, in whole ms, never negative', () => {
    stub(NAV, {}, 41.7);
    expect(pageTimings()).toEqual({
      redirectTime: 2, dnsTime: 3, ttfbTime: 7, tcpTime: 3, transTime: 10, domAnalysisTime: 20, fptTime: 26, domReadyTime: 56, loadPageTime: 51,
      // loadEventStart before domContentLoadedEventEnd: 0, not -5.
      resTime: 0,
      // No TLS handshake.
      sslTime: 0,
      ttlTime: 46, firstPackTime: 15, fmpTime: 41,
    });
  });

  it('sslTime from secureConnectionStart when there was a handshake; no fmpTime when FCP is not known yet', () => {
    stub({ ...NAV, secureConnectionStart: 10 });
    const t = pageTimings();
    expect(t.sslTime).toBe(2);
    expect('fmpTime' in t).toBe(false);
  });

  it('falls back to performance.timing without a usable entry', () => {
    stub({ ...NAV, responseStart: 0 }, { ...NAV, fetchStart: 1000, loadEventStart: 1500 });
    expect(pageTimings().loadPageTime).toBe(500);
  });
});
