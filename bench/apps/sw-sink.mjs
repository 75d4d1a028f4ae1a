// A SkyWalking gRPC sink for benchmarks: counts the segments streamed to
// TraceSegmentReportService/collect and answers ManagementService calls. It reads only
// each SegmentObject's traceSegmentId (field 2), so a segment sent twice counts once
// (`duplicates` tells how many were resent) and the sink stays cheap.
import * as grpc from '@grpc/grpc-js';

const raw = (b) => b;
const def = (path, requestStream) => ({
  path,
  requestStream,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});

let ids = new Set();
let messages = 0;

/** The traceSegmentId of an encoded SegmentObject, or undefined. */
function segmentId(buf) {
  let p = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    let b;
    do {
      b = buf[p++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80 && p < buf.length);
    return v;
  };
  while (p < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varint();
      if (key >>> 3 === 2) return buf.toString('latin1', p, p + len);
      p += len;
    } else return undefined;
  }
  return undefined;
}

const server = new grpc.Server();
const collect = (call, cb) => {
  call.on('data', (b) => {
    messages++;
    ids.add(segmentId(b) ?? `#${messages}`);
  });
  call.on('end', () => cb(null, Buffer.alloc(0)));
  call.on('error', () => {});
};
const unary = (_call, cb) => cb(null, Buffer.alloc(0));
server.addService({ collect: def('/skywalking.v3.TraceSegmentReportService/collect', true) }, { collect });
server.addService(
  {
    reportInstanceProperties: def('/skywalking.v3.ManagementService/reportInstanceProperties', false),
    keepAlive: def('/skywalking.v3.ManagementService/keepAlive', false),
  },
  { reportInstanceProperties: unary, keepAlive: unary },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ port });
});
process.on('message', (m) => {
  if (m === 'count') process.send({ count: ids.size, duplicates: messages - ids.size });
  if (m === 'reset') {
    ids = new Set();
    messages = 0;
    process.send({ count: 0, duplicates: 0 });
  }
});
