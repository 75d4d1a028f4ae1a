// skywalking-tracing/collector: filled by the collector issue.
export {};
