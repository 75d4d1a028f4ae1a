// Polling helpers shared by the Node tests: segments arrive asynchronously (when the last
// span of a segment ends, after the response), so tests wait for them with a deadline.

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 10 ms until it returns a truthy value; throws after `ms`. */
export async function waitFor<T>(fn: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await sleep(10);
  }
}
