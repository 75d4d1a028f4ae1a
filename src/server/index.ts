// Server-side protocol code shared by the collector and the Node ingest handler. @internal
export { encodeGrpcWebResponse, GrpcWebFormatError, parseGrpcWebFrames } from './grpc-web.js';
export type { GrpcWebFrames } from './grpc-web.js';
export { decodeMessage, decodeSegmentCollection, decodeSegmentObject, EMPTY_COMMANDS, encodeMessage, protoRoot, protoType } from './proto.js';
export { normaliseSegment, parseSegmentsJson, SegmentFormatError } from './segments.js';
export { validateSegment } from './validate.js';
export { decodeReport, readBody, replyToReport, ReportError, reportRoute, grpcWebMode } from './receive.js';
export type { Received, ReportRoute } from './receive.js';
