/**
 * Per-client token buckets with a bounded table: `perSecond` tokens a second, bursts of
 * twice that. When the table is full the oldest clients are forgotten (they start full).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly maxClients = 10_000,
  ) {}

  /** Takes one token for `client`; false when it has none left. */
  take(client: string, now = Date.now()): boolean {
    if (!(this.perSecond > 0)) return true;
    const burst = this.perSecond * 2;
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
      b = { tokens: burst, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
