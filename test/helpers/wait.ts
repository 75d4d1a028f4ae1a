// Waiting in tests: on a condition, with a deadline, never on the clock alone. A timeout names
// what was awaited, so a red run says what did not happen rather than "timed out".

/** Resolves after `ms`. Only for pacing a load (never to wait for something to happen). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` every 10 ms until it returns a truthy value, which it resolves with. After `ms`
 * (default 10 s: a busy machine is slow, a broken one never answers) it throws, naming
 * `what` (default: the function's source) and the last value or error seen.
 */
export function waitFor<T>(fn: () => T | undefined | null | false, ms = 10_000, what?: string): Promise<T> {
  return waitForAsync(async () => fn(), ms, what ?? fn.toString());
}

/** Like {@link waitFor} for an async check, polled every `everyMs`. */
export async function waitForAsync<T>(fn: () => Promise<T | undefined | null | false>, ms = 10_000, what?: string, everyMs = 10): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what ?? fn.toString()} (last: ${describe(last)})`);
    await sleep(everyMs);
  }
}

/**
 * Resolves with `read()` once it has stayed the same for `quietMs`: what was in flight when
 * something stopped (a call already on the wire) has landed, however slow the machine. Then a
 * test can check that nothing more comes. Throws after `ms`, naming `what`.
 */
export async function steady<T>(read: () => T, quietMs: number, ms = 10_000, what = read.toString()): Promise<T> {
  const until = Date.now() + ms;
  let value = read();
  let since = Date.now();
  for (;;) {
    await sleep(10);
    const now = read();
    if (now !== value) {
      value = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return value;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what} to stay unchanged for ${quietMs} ms (last: ${describe(value)})`);
  }
}

function describe(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}
