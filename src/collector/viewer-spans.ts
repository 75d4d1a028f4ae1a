// The viewer's reading of database, cache, queue and RPC spans: a layer label in the
// waterfall, and the statement, command or queue first in the span's detail panel.
// Browser-side script, included in the viewer page (viewer-page.ts).

/** Styles of the layer labels and the span summary block. */
export const SPANS_CSS = `
.layer{font-size:10px;font-weight:600;border-radius:4px;padding:0 5px;margin-right:6px;flex:none;letter-spacing:.02em}
.layer.Database{background:#1e3a5f;color:#93c5fd}.layer.Cache{background:#3b2a4d;color:#d8b4fe}.layer.MQ{background:#4a2f1a;color:#fdba74}
.layer.RPCFramework{background:#1a3d35;color:#6ee7b7}.layer.Http{background:#26324a;color:#cbd5e1}.layer.FAAS,.layer.GenAI{background:#3a3a1a;color:#fde68a}
.what{border:1px solid var(--line);border-radius:8px;background:var(--raised);padding:8px 12px;margin:0 0 10px}
.what .lbl{color:var(--muted);font-size:11px;margin-right:6px}
.what .row2{display:flex;flex-wrap:wrap;gap:4px 18px;align-items:baseline;margin:2px 0}
.what code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;color:#e2e8f0;word-break:break-all}
.what pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:4px 0 2px;max-height:16em;overflow:auto}
`;

/** `layerChip(span)`, `spanWhat(span)` → `{ html, keys }` (the tags shown there, left out of the table below). */
export const SPANS_JS = `
const LAYERS={Database:'DB',Cache:'Cache',MQ:'MQ',RPCFramework:'RPC',Http:'HTTP',FAAS:'FaaS',GenAI:'GenAI'};
function layerChip(s){const l=LAYERS[s.spanLayer];return l?'<span class="layer '+esc(s.spanLayer)+'" title="layer '+esc(s.spanLayer)+'">'+l+'</span>':''}
// What a database, cache, queue or RPC span did, from SkyWalking's tags, before the other tags.
function spanWhat(s){const tag={};for(const t of s.tags)if(!(t.key in tag))tag[t.key]=t.value;
  const keys=new Set(),has=k=>typeof tag[k]==='string'&&tag[k]!=='';
  const item=(k,label,code)=>{if(!has(k))return'';keys.add(k);return '<span><span class="lbl">'+esc(label||k)+'</span>'+(code?'<code>'+esc(tag[k])+'</code>':esc(tag[k]))+'</span>'};
  const line=parts=>{const x=parts.join('');return x?'<div class="row2">'+x+'</div>':''};
  let h='';
  if(s.spanLayer==='Database'||has('db.statement')){
    h=line([item('db.type','db.type'),item('db.instance','db.instance')]);
    if(has('db.statement')){keys.add('db.statement');h+='<div class="lbl">db.statement</div><pre class="stmt">'+esc(tag['db.statement'])+'</pre>'}
    if(has('db.sql.parameters')){keys.add('db.sql.parameters');h+='<div class="row2"><span><span class="lbl">db.sql.parameters</span><code>'+esc(tag['db.sql.parameters'])+'</code></span></div>'}
  }else if(s.spanLayer==='Cache'||has('cache.cmd')){
    h=line([item('cache.type','cache.type'),item('cache.op','cache.op')])+
      line([item('cache.cmd','cache.cmd',true),item('cache.key','cache.key',true)]);
  }else if(s.spanLayer==='MQ'||has('mq.queue')||has('mq.topic')){
    h=line([item('mq.broker','mq.broker',true)])+line([item('mq.topic','mq.topic',true),item('mq.queue','mq.queue',true),item('transmission.latency','transmission.latency (ms)')]);
  }else if(s.spanLayer==='RPCFramework'||has('rpc.status_code')){
    h=line([item('rpc.status_code','rpc.status_code',true)]);
  }
  return {html:h?'<div class="what">'+h+'</div>':'',keys}}
`;
