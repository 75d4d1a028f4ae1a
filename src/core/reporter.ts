import type { SegmentObject } from './segment.js';

/**
 * Where finished segments go. `report` is called on the traced code path, so it must not
 * block or throw; `flush` and `shutdown` must never reject.
 */
export interface Reporter {
  /** Hands over a finished segment. Must return promptly. */
  report(segment: SegmentObject): void;
  /** Sends what is queued, waiting at most `timeoutMs`. Resolves either way. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes within `timeoutMs`, then releases timers and connections. Resolves either way. */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Discards every segment. */
export class NoopReporter implements Reporter {
  report(): void {}
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Keeps reported segments in memory, in OAP's JSON form: for tests, yours and ours. */
export class InMemoryReporter implements Reporter {
  /** Every segment reported so far, oldest first. */
  readonly segments: SegmentObject[] = [];
  report(segment: SegmentObject): void {
    this.segments.push(segment);
  }
  /** Forgets every segment. */
  clear(): void {
    this.segments.length = 0;
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Prints each segment as JSON through `console.log` (or a given sink): for debugging. */
export class ConsoleReporter implements Reporter {
  constructor(private readonly print: (line: string) => void = (line) => console.log(line)) {}
  report(segment: SegmentObject): void {
    try {
      this.print(JSON.stringify(segment));
    } catch {
      // Debug output only; a failing sink must not reach traced code.
    }
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
