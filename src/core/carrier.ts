/** Something a propagation header can be written to (outgoing request headers). */
export interface Injectable {
  /** Sets header `key` (lowercase: `sw8`, `sw8-correlation`, `sw8-x`) to `value`, replacing any value it had. May throw: the tracer catches it. */
  inject(key: string, value: string): void;
}

/** Something a propagation header can be read from (incoming request headers). */
export interface Extractable {
  /** The value of header `key` (lowercase), or `null`/`undefined` when absent. May throw: the tracer treats that as absent. */
  extract(key: string): string | null | undefined;
}

/**
 * A carrier over a plain header record, e.g. Node's `IncomingHttpHeaders` or a user's
 * message attributes. Reads the first value of an array; writes replace.
 */
export function recordCarrier(record: Record<string, string | string[] | number | undefined>): Injectable & Extractable {
  return {
    inject(key, value) {
      record[key] = value;
    },
    extract(key) {
      const v = record[key];
      if (typeof v === 'string') return v;
      if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
      return undefined;
    },
  };
}
