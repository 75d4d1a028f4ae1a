// An OTLP/HTTP protobuf sink for benchmarks: counts the spans in each export request by
// walking ExportTraceServiceRequest → resource_spans(1) → scope_spans(2) → spans(2).
import { createServer } from 'node:http';

let spans = 0;

function* fields(buf, start, end) {
  let p = start;
  while (p < end) {
    let key = 0;
    let shift = 0;
    let b;
    do {
      b = buf[p++];
      key += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    const wire = key & 7;
    const field = Math.floor(key / 8);
    if (wire === 0) {
      while (buf[p++] & 0x80);
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      let len = 0;
      shift = 0;
      do {
        b = buf[p++];
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      yield { field, start: p, end: p + len };
      p += len;
    } else return;
  }
}

function countSpans(buf) {
  let n = 0;
  for (const rs of fields(buf, 0, buf.length)) if (rs.field === 1)
    for (const ss of fields(buf, rs.start, rs.end)) if (ss.field === 2)
      for (const sp of fields(buf, ss.start, ss.end)) if (sp.field === 2) n++;
  return n;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      spans += countSpans(Buffer.concat(chunks));
    } catch {
      // a malformed body counts nothing
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count: spans });
  if (m === 'reset') {
    spans = 0;
    process.send({ count: 0 });
  }
});
