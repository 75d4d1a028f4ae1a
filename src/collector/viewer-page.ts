// The trace viewer: one self-contained page (no build step, no CDN) served at GET /.
// It polls /api/traces and draws one trace as a waterfall across segments and services:
// spans nest under their parent span, and an entry span nests under the exit span its
// CrossProcess (or CrossThread) reference points at. Beside the traces: a browser view
// (viewer-browser.ts), meters and logs (viewer-telemetry.ts), chosen by the URL hash
// (#/browser, #/meters, #/logs; otherwise the hash is a trace id).
import { BROWSER_CSS, BROWSER_JS } from './viewer-browser.js';
import { SPANS_CSS, SPANS_JS } from './viewer-spans.js';
import { TELEMETRY_CSS, TELEMETRY_JS } from './viewer-telemetry.js';

export const VIEWER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SkyWalking · skywalking-tracing collector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#0d1526;--panel:#111b30;--raised:#16223b;--line:#22304d;--text:#e2e8f0;--muted:#8b9bb8;--err:#f87171;--warn:#fbbf24;--accent:#60a5fa}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 ui-sans-serif,system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--text);display:flex;flex-direction:column;height:100vh}
#top{display:flex;align-items:center;gap:14px;padding:8px 16px;border-bottom:1px solid var(--line);background:var(--panel);flex:none;min-width:0}
#top h1{font-size:15px;margin:0;display:flex;align-items:center;gap:8px;white-space:nowrap}
#tabs{display:flex;gap:2px}#tabs a{color:var(--muted);text-decoration:none;padding:4px 10px;border-radius:6px;white-space:nowrap}
#tabs a:hover{color:var(--text);background:var(--raised)}#tabs a.sel{color:var(--text);background:#1b2b4d;box-shadow:inset 0 -2px 0 var(--accent)}
#stats{margin:0 0 0 auto;color:var(--muted);font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0}#stats a{color:inherit;text-decoration:none;border-bottom:1px dotted var(--line)}#stats a:hover{color:var(--text)}
#app{flex:1;display:flex;min-height:0}#app.wide #list{display:none}
#list{width:clamp(280px,25vw,340px);border-right:1px solid var(--line);overflow:auto;flex:none;background:var(--panel)}
#main{flex:1;overflow:auto;padding:18px 22px}
header{padding:14px 16px 10px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--panel);z-index:1}
header h1{font-size:15px;margin:0;display:flex;align-items:center;gap:8px}
.live{width:8px;height:8px;border-radius:50%;background:#34d399;box-shadow:0 0 0 3px #34d39933}
.live.off{background:var(--err);box-shadow:0 0 0 3px #f8717133}
header p{margin:4px 0 8px;color:var(--muted);font-size:12px}header p a{color:inherit;text-decoration:none;border-bottom:1px dotted var(--line)}header p a:hover{color:var(--text)}
#filter{width:100%;background:var(--bg);border:1px solid var(--line);border-radius:6px;color:var(--text);padding:6px 8px;font:inherit}
#filter:focus{outline:1px solid var(--accent)}
.trace{padding:10px 16px;border-bottom:1px solid var(--line);cursor:pointer;border-left:3px solid transparent}
.trace:hover{background:var(--raised)}.trace.sel{background:#1b2b4d;border-left-color:var(--accent)}
.trace .ep{font-weight:600;word-break:break-all}.trace .one{white-space:nowrap;margin-right:8px}.ep .from,h2 .from{color:var(--muted);font-weight:400}.trace .meta{color:var(--muted);font-size:12px;margin-top:3px}
.badge{display:inline-block;border-radius:9px;padding:0 7px;font-size:11px;margin-left:4px;background:#22304d;color:var(--muted)}
.badge.err{background:#4a1d24;color:var(--err)}.badge.warn{background:#45361a;color:var(--warn)}
.svc{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:5px;vertical-align:middle;flex:none}
.chip{display:inline-flex;align-items:center;border:1px solid var(--line);border-radius:10px;padding:0 8px 0 6px;margin-right:6px;font-size:12px;color:var(--text);background:var(--raised)}
h2{font-size:16px;margin:0 0 6px;word-break:break-all}
.sub{color:var(--muted);margin-bottom:14px;font-size:12px;word-break:break-all;display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.grid{display:grid;grid-template-columns:fit-content(52%) minmax(0,1fr);border:1px solid var(--line);border-radius:8px;overflow:hidden;background:var(--panel)}
.row{display:contents;cursor:pointer}
.row>div{padding:5px 8px;border-bottom:1px solid #1a2743;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-height:29px}
.row:hover>div{background:var(--raised)}.row.sel>div{background:#1b2b4d}
.name{display:flex;align-items:center}
.name .kind{font-size:10px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin-right:6px;flex:none}
.name .op{overflow:hidden;text-overflow:ellipsis;flex:0 1 auto;min-width:0}
.name .hop{font-size:11px;border-radius:4px;padding:0 5px;margin-right:6px;color:#0b1220;font-weight:600;flex:none}
.name.error .op{color:var(--err)}
.name .warn{color:var(--warn);margin-left:6px;flex:none}
.bar{position:relative;background-image:linear-gradient(to right,#1e2b47 1px,transparent 1px);background-size:var(--tick,25%) 100%}
.bar>span{position:absolute;top:8px;height:12px;border-radius:3px;min-width:2px}
.bar em{position:absolute;top:5px;font-style:normal;font-size:11px;color:var(--muted)}
.bar em.in{color:#0b1220;font-weight:600}.bar em .peer{margin-left:6px;color:var(--muted)}.bar em.in .peer{color:#0b1220;font-weight:400}.bar em.bad{color:var(--warn)}
.head>div{background:var(--raised);color:var(--muted);font-size:12px;padding:6px 8px;position:relative}
.axis span{position:absolute;top:6px;transform:translateX(-50%);white-space:nowrap}.axis span.first{transform:none}.axis span.end{transform:translateX(-100%)}
#detail{margin-top:16px;border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--panel)}
#detail h3{margin:0 0 8px;font-size:14px;display:flex;align-items:center;gap:6px}
#detail table{border-collapse:collapse;width:100%}
#detail td{padding:3px 8px 3px 0;vertical-align:top;word-break:break-all}
#detail td:first-child{color:var(--muted);width:210px}
.log{margin-top:8px;border-left:2px solid var(--line);padding-left:10px}
.problems{border:1px solid #5b4520;background:#2a2214;border-radius:8px;padding:8px 12px;margin-bottom:14px;color:var(--warn)}
.problems ul{margin:4px 0 0;padding-left:18px}.problems li{margin:2px 0;word-break:break-word}
.empty{color:var(--muted);padding:40px;text-align:center}
pre{white-space:pre-wrap;margin:2px 0;color:#cbd5e1;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
${SPANS_CSS}${BROWSER_CSS}${TELEMETRY_CSS}</style></head>
<body>
<div id="top"><h1><span class="live" id="live"></span>SkyWalking</h1><nav id="tabs"><a href="#" data-view="traces">Traces</a><a href="#/browser" data-view="browser">Browser</a><a href="#/meters" data-view="meters">Meters</a><a href="#/logs" data-view="logs">Logs</a></nav><p id="stats">waiting for data…</p></div>
<div id="app"><div id="list"><header><input id="filter" placeholder="Filter: service, endpoint, trace id" autocomplete="off"></header><div id="traces"></div></div>
<div id="main"><div class="empty">Select a trace. New traces appear on the left as agents report them.</div></div></div>
<script>
const COLORS=['#60a5fa','#34d399','#f472b6','#fbbf24','#a78bfa','#fb923c','#22d3ee','#a3e635'];
const COMPONENTS={0:'Unknown',1:'Tomcat',2:'HttpClient',49:'http',50:'rpc',4001:'HttpServer',4002:'Express',4003:'Egg',4004:'Koa',4005:'Axios',10000:'JavaScript',10001:'ajax',11000:'Rust'};
const svcColor=new Map();const color=s=>{if(!svcColor.has(s))svcColor.set(s,COLORS[svcColor.size%COLORS.length]);return svcColor.get(s)};
const esc=s=>String(s).replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const clock=t=>new Date(t).toLocaleTimeString([],{hour:'2-digit',minute:'2-digit',second:'2-digit',hour12:false});
const ms=n=>n>=10000?(n/1000).toFixed(1)+' s':n+' ms';
const svcChip=s=>'<span class="chip"><span class="svc" style="background:'+color(s)+'"></span>'+esc(s)+'</span>';
const VIEWS=['browser','meters','logs'];
const hashView=()=>{const h=location.hash.slice(1);return h.startsWith('/')&&VIEWS.includes(h.slice(1))?h.slice(1):'traces'};
let view=hashView(),selected=view==='traces'&&location.hash.slice(1)||null,selectedSpan=null,list=[],lastKey='',current=null;
const $=id=>document.getElementById(id);
async function poll(){
  try{
    const st=await fetch('/api/stats').then(r=>r.json());
    $('live').className='live';
    const count=(n,one,many,href)=>{if(!n)return'';const t=n+' '+(n===1?one:many);return href?'<a href="'+href+'">'+t+'</a>':t};
    $('stats').innerHTML=[count(st.traces,'trace','traces'),count(st.segments,'segment','segments'),count(st.logs,'log','logs','#/logs'),count(st.meters,'meter','meters','#/meters'),
      count(st.browserPerf,'browser perf report','browser perf reports','#/browser'),count(st.browserErrors,'browser error','browser errors','#/browser'),count(st.rejected,'rejected report','rejected reports')].filter(Boolean).join(' · ')||'no data yet';
    if(view==='browser')return await pollBrowser();
    if(view==='meters')return await pollMeters();
    if(view==='logs')return await pollLogs();
    const l=await fetch('/api/traces').then(r=>r.json());
    // The selected trace is read again when the list changed (a segment arrived); its logs on every poll.
    const key=JSON.stringify(l);if(key!==lastKey){lastKey=key;list=l;drawList();
      if(!selected&&list[0])return select(list[0].traceId);else if(selected)return await loadTrace(true)}
    if(selected)await pollTraceLogs();
  }catch(e){$('live').className='live off';$('stats').textContent='collector unreachable: '+e.message}
}
// Switches the view the hash names; each view draws itself into #main on its next poll.
function showView(){const v=hashView(),changed=v!==view;view=v;
  for(const a of document.querySelectorAll('#tabs a'))a.classList.toggle('sel',a.dataset.view===view);
  $('app').classList.toggle('wide',view!=='traces');
  if(changed){browserKey=metersKey=logsKey='';if(view!=='traces')$('main').innerHTML='<div class="empty">Loading…</div>';else{current=null;lastKey=''}poll()}}
$('tabs').onclick=e=>{const a=e.target.closest('a');if(a&&a.dataset.view==='traces'){e.preventDefault();location.hash=selected||''}};
// A trace's name: the root endpoint (for a browser: the page path) and, when it differs, the
// first service endpoint it reached, so that traces from one page can be told apart.
function title(t){const r=t.endpoint,e=t.entryEndpoint;
  return r&&e&&r!==e?'<span class="from">'+esc(r)+' →</span> '+esc(e):esc(r||e||t.traceId)}
function drawList(){
  const q=$('filter').value.trim().toLowerCase();
  const shown=q?list.filter(t=>(t.traceId+' '+t.endpoint+' '+t.entryEndpoint+' '+t.services.join(' ')).toLowerCase().includes(q)):list;
  $('traces').innerHTML=shown.map(t=>'<div class="trace'+(t.traceId===selected?' sel':'')+'" data-id="'+esc(t.traceId)+'">'+
    '<div class="ep">'+title(t)+(t.error?'<span class="badge err">error</span>':'')+(t.problemCount?'<span class="badge warn">'+t.problemCount+' problem'+(t.problemCount>1?'s':'')+'</span>':'')+'</div>'+
    '<div class="meta">'+t.services.map(s=>'<span class="one"><span class="svc" style="background:'+color(s)+'"></span>'+esc(s)+'</span>').join(' ')+'</div>'+
    '<div class="meta">'+clock(t.start)+' · '+ms(t.duration)+' · '+t.spanCount+' spans · '+t.segmentCount+' segments</div></div>').join('')||
    '<div class="empty">'+(q?'No trace matches.':'No traces yet. Point an agent at this collector.')+'</div>';
}
$('filter').oninput=drawList;
$('traces').onclick=e=>{const el=e.target.closest('.trace');if(el)select(el.dataset.id)};
window.onhashchange=()=>{showView();const h=location.hash.slice(1);if(view==='traces'&&h&&h!==selected)select(h)};
function select(id){selected=id;selectedSpan=null;traceLogs=null;traceKey='';if(location.hash.slice(1)!==id)location.hash=id;for(const el of document.querySelectorAll('.trace'))el.classList.toggle('sel',el.dataset.id===id);loadTrace()}
// Redrawn only when the trace changed (a poll re-reads it: late segments, new logs).
let traceKey='';
async function loadTrace(again){const id=selected;const r=await fetch('/api/traces/'+encodeURIComponent(id));
  if(id!==selected||view!=='traces')return;if(!r.ok){current=null;traceKey='';$('main').innerHTML='<div class="empty">Trace '+esc(id)+' is not (or no longer) in the collector.</div>';return}
  const text=await r.text();if(id!==selected)return;
  if(!(again&&text===traceKey&&$('tracelogs'))){traceKey=text;current=JSON.parse(text);render()}
  await pollTraceLogs()}
// Spans of all segments as one tree: parent span in the same segment, else the span a ref points at.
function tree(segments){
  const nodes=new Map();const key=(seg,id)=>seg+':'+id;
  for(const seg of segments)for(const s of seg.spans)nodes.set(key(seg.traceSegmentId,s.spanId),{seg,span:s,children:[],id:key(seg.traceSegmentId,s.spanId)});
  const roots=[];
  for(const n of nodes.values()){let p=null;
    if(n.span.parentSpanId>=0)p=nodes.get(key(n.seg.traceSegmentId,n.span.parentSpanId));
    else for(const r of n.span.refs){p=nodes.get(key(r.parentTraceSegmentId,r.parentSpanId));if(p){n.ref=r;break}}
    if(p&&p.seg!==n.seg)n.hop=true;
    (p?p.children:roots).push(n)}
  const out=[],seen=new Set();const walk=(n,d)=>{if(seen.has(n))return;seen.add(n);out.push([n,d]);n.children.sort((a,b)=>a.span.startTime-b.span.startTime||a.span.spanId-b.span.spanId).forEach(c=>walk(c,d+1))};
  roots.sort((a,b)=>a.span.startTime-b.span.startTime).forEach(r=>walk(r,0));
  // References that form a cycle (bad data) leave spans unreachable from any root: show them anyway.
  for(const n of nodes.values())walk(n,0);return out}
function spanProblems(n){return (current.problems||[]).filter(p=>p.segmentId===n.seg.traceSegmentId&&p.spanId===n.span.spanId).map(p=>p.message)}
function render(){
  if(!current)return;const rows=tree(current.segments);const sum=current.summary;
  const t0=sum.start,total=Math.max(1,sum.duration);
  let h='<h2>'+title(sum)+'</h2><div class="sub">'+sum.services.map(svcChip).join('')+
    '<span>trace '+esc(current.traceId)+' · '+ms(sum.duration)+' · '+sum.spanCount+' spans in '+sum.segmentCount+' segments</span>'+(sum.error?'<span class="badge err">error</span>':'')+'</div>';
  if(current.truncated)h+='<div class="problems">Too large to show whole: '+current.omittedSegments+' of '+sum.segmentCount+' segments are left out.</div>';
  if(sum.problemCount)h+='<div class="problems"><b>'+sum.problemCount+' problem'+(sum.problemCount>1?'s':'')+' a strict backend would see</b><ul>'+sum.problems.map(p=>'<li>'+esc(p)+'</li>').join('')+'</ul></div>';
  h+='<div class="grid"><div class="row head"><div>Span</div><div class="axis">&nbsp;</div></div>';
  for(const [n,d] of rows){const s=n.span;const dur=s.endTime-s.startTime;const probs=spanProblems(n);
    const exitPeer=s.spanType==='Exit'&&s.peer?'<span class="peer">→ '+esc(s.peer)+'</span>':'';
    let bar;
    // A span outside the window (insane times, left out of it by the collector) gets no bar.
    if(s.startTime<t0||s.endTime>t0+total||dur<0)bar='<em class="bad" style="left:6px">⚠ time outside the trace ('+esc(s.startTime)+' → '+esc(s.endTime)+')</em>';
    else{const left=Math.min(99.5,(s.startTime-t0)/total*100),width=Math.max(.4,Math.min(100-left,dur/total*100));
      // placeLabels() moves the label where it fits once the page is laid out.
      bar='<span style="left:'+left+'%;width:'+width+'%;background:'+(s.isError?'var(--err)':color(n.seg.service))+'"></span><em class="label">'+ms(dur)+exitPeer+'</em>'}
    h+='<div class="row'+(selectedSpan===n.id?' sel':'')+'" data-id="'+esc(n.id)+'"><div class="name'+(s.isError?' error':'')+'" style="padding-left:'+(8+d*16)+'px" title="'+esc(n.seg.service+' · '+s.operationName+(s.peer?(s.spanType==='Entry'?' ← ':' → ')+s.peer:''))+'">'+
      (n.hop||d===0?'<span class="hop" style="background:'+color(n.seg.service)+'">'+esc(n.seg.service)+'</span>':'<span class="svc" style="background:'+color(n.seg.service)+'"></span>')+
      '<span class="kind">'+s.spanType+'</span>'+layerChip(s)+'<span class="op">'+esc(s.operationName)+'</span>'+
      (probs.length?'<span class="warn" title="'+esc(probs.join('\\n'))+'">⚠</span>':'')+'</div>'+
      '<div class="bar">'+bar+'</div></div>'}
  h+='</div><div id="detail"></div><div id="tracelogs"></div>';
  $('main').innerHTML=h;drawAxis();drawTraceLogs();
  document.querySelector('.grid').onclick=e=>{const el=e.target.closest('.row:not(.head)');if(el){selectedSpan=el.dataset.id;render()}};
  const sel=rows.find(([n])=>n.id===selectedSpan)||rows[0];if(sel)detail(sel[0]);
}
// Round ticks (1, 2 or 5 × 10^k ms) at least 70 px apart, measured on the drawn axis; grid
// lines follow them. The trace's end is labelled too unless a tick sits too close to it.
function drawAxis(){const axis=document.querySelector('.axis');if(!axis||!current)return;
  const total=Math.max(1,current.summary.duration),px=Math.max(1,axis.clientWidth-16);
  const raw=total/Math.max(1,Math.floor(px/70)),mag=Math.pow(10,Math.floor(Math.log10(raw)));
  const step=[1,2,5,10].map(m=>m*mag).find(v=>v>=raw);
  const fmt=v=>step<1?v.toFixed(step<0.1?2:1)+' ms':ms(Math.round(v));
  let h='';for(let v=0;v<=total+1e-9;v+=step){const end=v>0&&(total-v)/total*px<8;
    if(v>0&&!end&&(total-v)/total*px<75)continue;h+='<span class="'+(v===0?'first':end?'end':'')+'" style="left:'+(v/total*100)+'%">'+fmt(v)+'</span>'}
  if(!/class="end"/.test(h))h+='<span class="end" style="left:100%">'+fmt(total)+'</span>';
  axis.innerHTML=h+'&nbsp;';document.querySelector('.grid').style.setProperty('--tick',(step/total*100)+'%');placeLabels()}
// Each bar's label (duration, and an exit span's peer) goes where it fits, in pixels: after
// the bar, before it, or inside it; without the peer if only that fits; clipped as a last resort.
function placeLabels(){
  const ems=[...document.querySelectorAll('.bar em.label')];
  // Reset every label, then read every size in one layout, then write every position: a read
  // after each write would lay the page out once per span (minutes for a few thousand spans).
  for(const em of ems){em.className='label';em.style.left=em.style.right='';const p=em.querySelector('.peer');if(p)p.hidden=false}
  // Positions are in the cell's padding box, like the bar's own left and width.
  const m=ems.map(em=>{const cell=em.parentElement,bar=cell.firstElementChild,p=em.querySelector('.peer');
    return {em,p,P:cell.clientWidth,l:bar.offsetLeft,r:bar.offsetLeft+bar.offsetWidth,w:em.offsetWidth,pw:p?p.offsetWidth+6:0}});
  for(const x of m){const {em,p,P,l,r}=x;
    const outside=w=>{if(P-r-6>=w){em.style.left=(r+6)+'px';return true}if(l-6>=w){em.style.right=(P-l+6)+'px';return true}return false};
    const inside=()=>{em.classList.add('in');em.style.right=(P-r+6)+'px'};
    if(outside(x.w))continue;
    if(!p||r-l-12>=x.w){inside();continue}
    p.hidden=true;if(!outside(x.w-x.pw))inside()}}
window.onresize=drawAxis;
function detail(n){const s=n.span;const kv=(k,v)=>'<tr><td>'+esc(k)+'</td><td>'+esc(v)+'</td></tr>';
  const comp=COMPONENTS[s.componentId];
  let h='<h3><span class="svc" style="background:'+color(n.seg.service)+'"></span>'+esc(s.operationName)+(s.isError?'<span class="badge err">error</span>':'')+'</h3>';
  const probs=spanProblems(n);if(probs.length)h+='<div class="problems"><ul>'+probs.map(p=>'<li>'+esc(p)+'</li>').join('')+'</ul></div>';
  const what=spanWhat(s);h+=what.html;
  h+='<table>'+kv('service / instance',n.seg.service+' / '+n.seg.serviceInstance)+kv('segment · span',n.seg.traceSegmentId+' · span '+s.spanId+' (parent '+s.parentSpanId+')')+
    kv('type · layer · component',s.spanType+' · '+s.spanLayer+' · '+s.componentId+(comp?' ('+comp+')':''))+(s.peer?kv('peer',s.peer):'')+
    kv('start · duration',new Date(s.startTime).toISOString()+' · '+ms(s.endTime-s.startTime))+(s.skipAnalysis?kv('skipAnalysis','true'):'');
  for(const t of s.tags)if(!what.keys.has(t.key))h+=kv(t.key,t.value);
  for(const r of s.refs)h+=kv(r.refType+' ref',r.parentService+' / '+r.parentServiceInstance+' · '+r.parentEndpoint+' · segment '+r.parentTraceSegmentId+' span '+r.parentSpanId+(r.networkAddressUsedAtPeer?' · via '+r.networkAddressUsedAtPeer:''));
  h+='</table>';
  for(const l of s.logs)h+='<div class="log"><span class="badge">log '+new Date(l.time).toLocaleTimeString()+'</span>'+l.data.map(d=>'<pre>'+esc(d.key)+': '+esc(d.value)+'</pre>').join('')+'</div>';
  for(const l of spanLogs(n.seg.traceSegmentId,s.spanId))h+='<div class="log"><span class="badge">'+esc(l.level||'log')+' '+(l.time?clock(l.time):'')+'</span>'+(l.logger?' <span class="muted">'+esc(l.logger)+'</span>':'')+'<pre>'+esc(l.body)+'</pre></div>';
  $('detail').innerHTML=h}
${SPANS_JS}${BROWSER_JS}${TELEMETRY_JS}
showView();poll();setInterval(poll,1500);
</script></body></html>
`;
