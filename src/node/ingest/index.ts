// Same-origin ingest handler for browser reports. The transport helper fills it.
export {};
