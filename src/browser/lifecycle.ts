/**
 * Calls `flush` when the page is hidden or unloaded (`visibilitychange` → hidden,
 * `pagehide`): the last moments a page can still send (with `keepalive`). Not
 * `beforeunload`, which breaks the back/forward cache. No-op in workers. Returns the
 * function that removes the listeners.
 */
export function listenForPageHide(flush: () => void): () => void {
  const doc = globalThis.document;
  if (!doc || typeof globalThis.addEventListener !== 'function') return () => {};
  const onVisibility = () => {
    if (doc.visibilityState === 'hidden') flush();
  };
  doc.addEventListener('visibilitychange', onVisibility);
  globalThis.addEventListener('pagehide', flush);
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    globalThis.removeEventListener('pagehide', flush);
  };
}
