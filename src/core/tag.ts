/** A key/value pair attached to a span (`SpanObject.tags`). */
export class Tag {
  constructor(
    /** The tag key; an empty key is not recorded. */
    readonly key: string,
    /** The tag value; cut to `maxTagValueLength` when recorded. */
    readonly value: string,
  ) {}
}

/** A timestamped set of key/value pairs attached to a span (`SpanObject.logs`). */
export class Log {
  /**
   * Epoch milliseconds; `undefined` means "when the span records it". The span cuts
   * fractions and replaces a value that is not a finite number ≥ 0 by its clock's time.
   */
  readonly time: number | undefined;
  /** The fields, in order. */
  readonly fields: ReadonlyArray<readonly [string, string]>;

  /** Never throws: fields that cannot be read (not an object, a hostile Proxy) give an empty log. */
  constructor(fields: Record<string, string> | Array<[string, string]>, time?: number) {
    let list: ReadonlyArray<readonly [string, string]> = [];
    try {
      list = Array.isArray(fields) ? fields.slice() : Object.entries(fields);
    } catch {
      // null, undefined, or an object whose keys or values cannot be enumerated.
    }
    this.fields = list;
    this.time = time;
  }
}
