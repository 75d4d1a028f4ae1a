// The trace viewer: one self-contained page (no build step, no CDN) served at GET /.
// It polls /api/traces and draws one trace as a waterfall across segments and services.
export const VIEWER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SkyWalking traces · skywalking-tracing collector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#0f172a;--panel:#111c33;--line:#24324f;--text:#e2e8f0;--muted:#8ea0bf;--err:#f87171;--warn:#fbbf24;--accent:#60a5fa}
*{box-sizing:border-box}body{margin:0;font:13px/1.45 ui-sans-serif,system-ui,sans-serif;background:var(--bg);color:var(--text);display:flex;height:100vh}
#list{width:360px;border-right:1px solid var(--line);overflow:auto;flex:none}
#main{flex:1;overflow:auto;padding:16px 20px}
header{padding:14px 16px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg)}
header h1{font-size:15px;margin:0}header p{margin:4px 0 0;color:var(--muted);font-size:12px}
.trace{padding:10px 16px;border-bottom:1px solid var(--line);cursor:pointer}
.trace:hover{background:#16233f}.trace.sel{background:#1c2c50}
.trace .ep{font-weight:600;word-break:break-all}.trace .meta{color:var(--muted);font-size:12px;margin-top:2px}
.badge{display:inline-block;border-radius:9px;padding:0 7px;font-size:11px;margin-right:4px;background:#22304d;color:var(--muted)}
.badge.err{background:#4a1d24;color:var(--err)}.badge.warn{background:#45361a;color:var(--warn)}
.svc{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:5px;vertical-align:middle}
h2{font-size:15px;margin:0 0 4px}.sub{color:var(--muted);margin-bottom:14px;font-size:12px;word-break:break-all}
.grid{display:grid;grid-template-columns:minmax(320px,42%) 1fr;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.row{display:contents;cursor:pointer}.row>div{padding:5px 8px;border-bottom:1px solid #1b2845;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.row:hover>div{background:#15223d}.row.sel>div{background:#1c2c50}
.name .kind{font-size:10px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin-right:6px}
.name .peer{color:var(--muted);margin-left:6px}.name.error{color:var(--err)}
.bar{position:relative}.bar span{position:absolute;top:6px;height:12px;border-radius:3px;min-width:2px}
.bar em{position:absolute;top:3px;font-style:normal;font-size:11px;color:var(--muted)}.bar em.in{color:#0b1220;font-weight:600}
.head>div{background:#17223c;color:var(--muted);font-size:12px;padding:6px 8px}
#detail{margin-top:16px;border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--panel)}
#detail table{border-collapse:collapse;width:100%}#detail td{padding:3px 8px 3px 0;vertical-align:top;word-break:break-all}
#detail td:first-child{color:var(--muted);width:220px}
.problems{border:1px solid #5b4520;background:#2a2214;border-radius:8px;padding:8px 12px;margin-bottom:14px;color:var(--warn)}
.problems li{margin:2px 0}.empty{color:var(--muted);padding:40px;text-align:center}
pre{white-space:pre-wrap;margin:4px 0;color:#cbd5e1;font-size:12px}
</style></head>
<body>
<div id="list"><header><h1>Traces</h1><p id="stats">waiting for data…</p></header><div id="traces"></div></div>
<div id="main"><div class="empty">Select a trace. New traces appear on the left as agents report them.</div></div>
<script>
const COLORS=['#60a5fa','#34d399','#f472b6','#fbbf24','#a78bfa','#fb923c','#22d3ee','#a3e635'];
const svcColor={};const color=s=>svcColor[s]||(svcColor[s]=COLORS[Object.keys(svcColor).length%COLORS.length]);
const esc=s=>String(s).replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
let selected=location.hash.slice(1)||null,selectedSpan=null,lastList='';
async function loadList(){
  try{const r=await fetch('/api/traces');const list=await r.json();const key=JSON.stringify(list);
    const st=await (await fetch('/api/stats')).json();
    document.getElementById('stats').textContent=st.traces+' traces · '+st.segments+' segments received'+(st.rejected?' · '+st.rejected+' rejected':'');
    if(key===lastList)return;lastList=key;
    document.getElementById('traces').innerHTML=list.map(t=>'<div class="trace'+(t.traceId===selected?' sel':'')+'" data-id="'+esc(t.traceId)+'">'+
      '<div class="ep">'+esc(t.endpoint||t.traceId)+'</div><div class="meta">'+t.services.map(s=>'<span class="svc" style="background:'+color(s)+'"></span>'+esc(s)).join(' &nbsp;')+'</div>'+
      '<div class="meta">'+new Date(t.start).toLocaleTimeString()+' · '+t.duration+' ms · '+t.spanCount+' spans / '+t.segmentCount+' segments '+
      (t.error?'<span class="badge err">error</span>':'')+(t.problems.length?'<span class="badge warn">'+t.problems.length+' problems</span>':'')+'</div></div>').join('')||'<div class="empty">No traces yet.</div>';
    if(!selected&&list[0])select(list[0].traceId);else if(selected)loadTrace();
  }catch(e){document.getElementById('stats').textContent='collector unreachable: '+e.message}
}
document.getElementById('traces').onclick=e=>{const el=e.target.closest('.trace');if(el)select(el.dataset.id)};
function select(id){selected=id;selectedSpan=null;location.hash=id;for(const el of document.querySelectorAll('.trace'))el.classList.toggle('sel',el.dataset.id===id);loadTrace()}
let current=null;
async function loadTrace(){const r=await fetch('/api/traces/'+encodeURIComponent(selected));if(!r.ok)return;current=await r.json();render()}
function tree(segments){
  const nodes=new Map();const key=(seg,id)=>seg+':'+id;
  for(const seg of segments)for(const s of seg.spans)nodes.set(key(seg.traceSegmentId,s.spanId),{seg,span:s,children:[],id:key(seg.traceSegmentId,s.spanId)});
  const roots=[];
  for(const n of nodes.values()){let p=null;
    if(n.span.parentSpanId>=0)p=nodes.get(key(n.seg.traceSegmentId,n.span.parentSpanId));
    else for(const r of n.span.refs){p=nodes.get(key(r.parentTraceSegmentId,r.parentSpanId));if(p){n.ref=r;break}}
    (p?p.children:roots).push(n)}
  const out=[];const walk=(n,d)=>{out.push([n,d]);n.children.sort((a,b)=>a.span.startTime-b.span.startTime||a.span.spanId-b.span.spanId).forEach(c=>walk(c,d+1))};
  roots.sort((a,b)=>a.span.startTime-b.span.startTime).forEach(r=>walk(r,0));return out}
function render(){
  if(!current)return;const rows=tree(current.segments);const sum=current.summary;
  const t0=sum.start,span=Math.max(1,sum.duration);
  let h='<h2>'+esc(sum.endpoint||current.traceId)+'</h2><div class="sub">trace '+esc(current.traceId)+' · '+sum.duration+' ms · '+sum.services.map(s=>'<span class="svc" style="background:'+color(s)+'"></span>'+esc(s)).join(' ')+'</div>';
  if(sum.problems.length)h+='<div class="problems"><b>Problems</b><ul>'+sum.problems.map(p=>'<li>'+esc(p)+'</li>').join('')+'</ul></div>';
  h+='<div class="grid"><div class="row head"><div>Span</div><div>Timeline (0 – '+span+' ms)</div></div>';
  for(const [n,d] of rows){const s=n.span;const left=(s.startTime-t0)/span*100,width=Math.max(.3,(s.endTime-s.startTime)/span*100);
    h+='<div class="row'+(selectedSpan===n.id?' sel':'')+'" data-id="'+esc(n.id)+'"><div class="name'+(s.isError?' error':'')+'" style="padding-left:'+(8+d*16)+'px" title="'+esc(n.seg.service+' · '+s.operationName)+'">'+
      '<span class="svc" style="background:'+color(n.seg.service)+'"></span><span class="kind">'+s.spanType+'</span>'+esc(s.operationName)+(s.peer?'<span class="peer">→ '+esc(s.peer)+'</span>':'')+'</div>'+
      '<div class="bar"><span style="left:'+left+'%;width:'+width+'%;background:'+(s.isError?'var(--err)':color(n.seg.service))+'"></span>'+(left+width>80?'<em class="in" style="right:calc('+(100-left-width)+'% + 6px)">':'<em style="left:calc('+(left+width)+'% + 6px)">')+(s.endTime-s.startTime)+' ms</em></div></div>'}
  h+='</div><div id="detail"></div>';
  document.getElementById('main').innerHTML=h;
  document.querySelector('.grid').onclick=e=>{const el=e.target.closest('.row:not(.head)');if(el){selectedSpan=el.dataset.id;render()}};
  const sel=rows.find(([n])=>n.id===selectedSpan)||rows[0];if(sel)detail(sel[0]);
}
function detail(n){const s=n.span;const kv=(k,v)=>'<tr><td>'+esc(k)+'</td><td>'+esc(v)+'</td></tr>';
  let h='<b>'+esc(s.operationName)+'</b><table>'+kv('service / instance',n.seg.service+' / '+n.seg.serviceInstance)+kv('segment · span',n.seg.traceSegmentId+' · '+s.spanId+' (parent '+s.parentSpanId+')')+
    kv('type · layer · component',s.spanType+' · '+s.spanLayer+' · '+s.componentId)+(s.peer?kv('peer',s.peer):'')+kv('duration',(s.endTime-s.startTime)+' ms')+(s.isError?kv('error','true'):'')+(s.skipAnalysis?kv('skipAnalysis','true'):'');
  for(const t of s.tags)h+=kv('tag '+t.key,t.value);
  for(const r of s.refs)h+=kv(r.refType+' ref',r.parentService+' / '+r.parentServiceInstance+' · '+r.parentEndpoint+' · segment '+r.parentTraceSegmentId+' span '+r.parentSpanId+(r.networkAddressUsedAtPeer?' · via '+r.networkAddressUsedAtPeer:''));
  h+='</table>';for(const l of s.logs)h+='<div><span class="badge">log '+new Date(l.time).toLocaleTimeString()+'</span>'+l.data.map(d=>'<pre>'+esc(d.key)+': '+esc(d.value)+'</pre>').join('')+'</div>';
  const probs=(current.summary.problems||[]).filter(p=>p.includes('"'+s.operationName+'"'));if(probs.length)h+='<div class="problems">'+probs.map(esc).join('<br>')+'</div>';
  document.getElementById('detail').innerHTML=h}
loadList();setInterval(loadList,1500);
</script></body></html>
`;
