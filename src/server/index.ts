// Server-side protocol code shared by the collector and the Node ingest handler. Internal to
// the package: no entry re-exports it (its names are no part of the public surface).
export { encodeGrpcWebResponse, GrpcWebFormatError, parseGrpcWebFrames } from './grpc-web.js';
export type { GrpcWebBodyMode, GrpcWebFrames } from './grpc-web.js';
export { bodyFits, checkInstanceLimits, checkReportLimits, clipText, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPORT_LIMITS, OAP_LIMITS, QUOTED_NAME_LENGTH } from './limits.js';
export type { LimitedSegment, ReportLimits } from './limits.js';
export {
  decodeCommands,
  decodeInstancePing,
  decodeInstanceProperties,
  decodeMessage,
  decodeSegmentCollection,
  decodeSegmentObject,
  EMPTY_COMMANDS,
  encodeCommands,
  encodeMessage,
  protoRoot,
  protoType,
} from './proto.js';
export type { Command, InstanceReport } from './proto.js';
export { normaliseSegment, parseSegmentsJson, SegmentFormatError } from './segments.js';
export { saneSpanTimes, validateSegment } from './validate.js';
export { decodeContentEncoding, decodeReport, grpcWebMode, isJsonType, mediaType, readBody, replyToReport, ReportError, reportRoute } from './receive.js';
export { receiveReport } from './receive-pipeline.js';
export type { ReceiveOptions } from './receive-pipeline.js';
export { scanJson, scanSegmentsProto } from './scan.js';
export type { ProtoScanLimits, ScanLimits, ScanRefusal } from './scan.js';
export type { Received, ReportRoute, ReportRouteOptions } from './receive.js';
