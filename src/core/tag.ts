/** A key/value pair attached to a span (`SpanObject.tags`). */
export class Tag {
  constructor(
    readonly key: string,
    readonly value: string,
  ) {}
}

/** A timestamped set of key/value pairs attached to a span (`SpanObject.logs`). */
export class Log {
  /** Epoch milliseconds; `undefined` means "when the span records it". */
  readonly time: number | undefined;
  readonly fields: ReadonlyArray<readonly [string, string]>;

  constructor(fields: Record<string, string> | Array<[string, string]>, time?: number) {
    this.fields = Array.isArray(fields) ? fields.slice() : Object.entries(fields);
    this.time = time;
  }
}
