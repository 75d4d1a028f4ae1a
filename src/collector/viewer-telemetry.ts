// The viewer's meters (small charts per service and instance), log list (with filters) and
// a trace's own logs. Browser-side script, included in the viewer page (viewer-page.ts).

/** Styles of the meters and logs views. */
export const TELEMETRY_CSS = `
.bar2{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:12px}
.bar2 select,.bar2 input{background:var(--bg);border:1px solid var(--line);border-radius:6px;color:var(--text);padding:5px 8px;font:inherit}
.bar2 input{min-width:160px}.bar2 input:focus,.bar2 select:focus{outline:1px solid var(--accent)}
.inst{margin:14px 0 6px;font-size:13px;display:flex;align-items:center;gap:6px}
.meter .name{font-size:12px;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.meter .big{font-size:18px;font-weight:600;margin:2px 0}
.meter svg{display:block;width:100%;height:42px}
.meter .range{font-size:11px;color:var(--muted);display:flex;justify-content:space-between}
table.logs th{text-align:left}table.logs td{text-align:left;vertical-align:top;white-space:normal}
table.logs td.body{word-break:break-word;width:100%}table.logs td.body pre{margin:0;max-height:9em;overflow:auto}
.lvl{display:inline-block;border-radius:4px;padding:0 5px;font-size:11px;font-weight:600;background:#22304d;color:var(--muted)}
.lvl.ERROR,.lvl.FATAL{background:#4a1d24;color:var(--err)}.lvl.WARN,.lvl.WARNING{background:#45361a;color:var(--warn)}.lvl.INFO{background:#1e3a5f;color:#93c5fd}
#tracelogs{margin-top:16px}#tracelogs h3{font-size:14px;margin:0 0 8px}
.spanlink{cursor:pointer;color:var(--accent);white-space:nowrap}
`;

/** `pollMeters()`, `pollLogs()`, `pollTraceLogs()`, `spanLogs(segmentId, spanId)`. */
export const TELEMETRY_JS = `
let metersKey='',metersService='',logsKey='',traceLogs=null,traceLogsKey='',metersSeq=0,logsSeq=0;
// Node runtime meters carry bytes, percents and seconds; other meters are shown as numbers.
function meterValue(name,v){const a=Math.abs(v);
  if(/heap|rss|memory|buffers|malloc|space/.test(name))return a>=1<<30?(v/(1<<30)).toFixed(2)+' GiB':a>=1<<20?(v/(1<<20)).toFixed(1)+' MiB':a>=1024?(v/1024).toFixed(1)+' KiB':Math.round(v)+' B';
  if(/cpu|utili[sz]ation|percent/.test(name))return (Math.round(v*100)/100)+' %';
  if(/uptime/.test(name))return a>=3600?(v/3600).toFixed(1)+' h':a>=60?(v/60).toFixed(1)+' min':Math.round(v)+' s';
  return a>=1e9?(v/1e9).toFixed(2)+' G':a>=1e6?(v/1e6).toFixed(2)+' M':a>=1e4?(v/1e3).toFixed(1)+' k':String(Math.round(v*100)/100)}
// A sparkline of [time, value] points: the line over a faint area, scaled to the points' own range.
function spark(points){const W=220,H=42,n=points.length;if(!n)return '';
  const t0=points[0][0],t1=points[n-1][0],vs=points.map(p=>p[1]),lo=Math.min(...vs),hi=Math.max(...vs);
  const x=i=>n<2?W/2:t1>t0?(points[i][0]-t0)/(t1-t0)*(W-2)+1:i/(n-1)*(W-2)+1,y=v=>hi>lo?H-3-(v-lo)/(hi-lo)*(H-6):H/2;
  const pts=points.map((p,i)=>x(i).toFixed(1)+','+y(p[1]).toFixed(1)).join(' ');
  return '<svg viewBox="0 0 '+W+' '+H+'" preserveAspectRatio="none" role="img" aria-label="'+n+' points"><polygon points="'+x(0).toFixed(1)+','+H+' '+pts+' '+x(n-1).toFixed(1)+','+H+'" fill="#60a5fa22"/>'+
    '<polyline points="'+pts+'" fill="none" stroke="#60a5fa" stroke-width="1.5" vector-effect="non-scaling-stroke"/>'+(n<2?'<circle cx="'+x(0)+'" cy="'+y(points[0][1])+'" r="2.5" fill="#60a5fa"/>':'')+'</svg>'}
// A histogram's latest buckets as bars.
function bucketBars(b){const W=220,H=42,max=Math.max(1,...b.map(x=>x.count)),w=W/Math.max(1,b.length);
  return '<svg viewBox="0 0 '+W+' '+H+'" preserveAspectRatio="none" role="img" aria-label="'+b.length+' buckets">'+b.map((x,i)=>'<rect x="'+(i*w+1).toFixed(1)+'" width="'+Math.max(1,w-2).toFixed(1)+'" y="'+(H-x.count/max*(H-2)).toFixed(1)+'" height="'+(x.count/max*(H-2)).toFixed(1)+'" fill="#a78bfa"><title>≥ '+x.bucket+': '+x.count+'</title></rect>').join('')+'</svg>'}
// An answer overtaken by a later request (the filter changed meanwhile) is dropped.
async function pollMeters(){const seq=++metersSeq;
  const d=await fetch('/api/meters/series?limit=1000&service='+encodeURIComponent(metersService)).then(r=>r.json());
  const key=JSON.stringify(d);if(seq!==metersSeq||key===metersKey||view!=='meters')return;metersKey=key;
  if(!$('meters')){$('main').innerHTML='<div class="view"><h2>Meters <small><span id="mcount"></span> · <a href="/api/meters/series" target="_blank">JSON</a></small></h2><div class="bar2"><select id="msvc" aria-label="service"></select></div><div id="meters"></div></div>';
    $('msvc').onchange=e=>{metersService=e.target.value;metersKey='';pollMeters()}}
  $('msvc').innerHTML='<option value="">all services</option>'+d.services.map(s=>'<option'+(s===metersService?' selected':'')+'>'+esc(s)+'</option>').join('');
  $('mcount').textContent=d.series.length+' of '+d.total+' series';
  if(!d.series.length){$('meters').innerHTML='<div class="empty">No meters yet. Agents report them over gRPC (MeterReportService).</div>';return}
  let h='',last='';
  for(const s of d.series){const inst=s.service+' / '+s.serviceInstance;
    if(inst!==last){if(last)h+='</div>';last=inst;h+='<div class="inst"><span class="svc" style="background:'+color(s.service)+'"></span><b>'+esc(s.service)+'</b><span class="muted">/ '+esc(s.serviceInstance||'(no instance)')+'</span></div><div class="cards">'}
    const hist=s.kind==='histogram';
    h+='<div class="card meter" data-name="'+esc(s.name)+'"><div class="name" title="'+esc(s.name+(s.labels?' {'+s.labels+'}':''))+'">'+esc(s.name)+(s.labels?' <span>{'+esc(s.labels)+'}</span>':'')+'</div>'+
      '<div class="big">'+(hist?s.last+' <span class="muted" style="font-size:12px">values</span>':meterValue(s.name,s.last))+'</div>'+(hist&&s.buckets?bucketBars(s.buckets):spark(s.points))+
      '<div class="range"><span>'+(hist?'buckets ≥ '+esc(s.buckets&&s.buckets.length?s.buckets[0].bucket:0):'min '+meterValue(s.name,s.min))+'</span><span>'+(hist?s.points.length+' reports':'max '+meterValue(s.name,s.max)+' · '+s.points.length+' pts')+'</span></div></div>'}
  $('meters').innerHTML=h+'</div>'}
function logRow(l,withTrace){
  return '<tr><td class="muted">'+(l.time?clock(l.time):'')+'</td><td>'+(l.level?'<span class="lvl '+esc(l.level)+'">'+esc(l.level)+'</span>':'')+'</td>'+
    '<td><span class="svc" style="background:'+color(l.service)+'"></span>'+esc(l.service)+(l.serviceInstance?' <span class="muted">'+esc(l.serviceInstance)+'</span>':'')+(l.endpoint?'<div class="muted">'+esc(l.endpoint)+'</div>':'')+'</td>'+
    '<td class="body"><pre>'+esc(l.body)+'</pre>'+(l.logger?'<span class="muted">'+esc(l.logger)+'</span>':'')+'</td>'+
    (withTrace?'<td>'+(l.traceId?'<a class="spanlink" href="#'+esc(l.traceId)+'" title="'+esc(l.traceId)+'">trace</a>':'')+'</td>':
      '<td>'+(l.spanId!==null?'<span class="spanlink" data-span="'+esc(l.segmentId+':'+l.spanId)+'">span '+l.spanId+'</span>':'')+'</td>')+'</tr>'}
async function pollLogs(){
  if(!$('logs')){$('main').innerHTML='<div class="view"><h2>Logs <small><span id="lcount"></span> · <a href="/api/logs" target="_blank">JSON</a></small></h2><div class="bar2">'+
      '<select id="lsvc" aria-label="service"><option value="">all services</option></select><select id="llvl" aria-label="level"><option value="">all levels</option></select>'+
      '<input id="ltext" placeholder="text in message, endpoint, logger" autocomplete="off"><input id="ltrace" placeholder="trace id" autocomplete="off"></div><div id="logs"></div></div>';
    for(const id of ['lsvc','llvl','ltext','ltrace'])$(id).oninput=()=>{logsKey='';pollLogs()}}
  const q='service='+encodeURIComponent($('lsvc').value)+'&level='+encodeURIComponent($('llvl').value)+'&text='+encodeURIComponent($('ltext').value)+'&traceId='+encodeURIComponent($('ltrace').value.trim());
  const seq=++logsSeq,d=await fetch('/api/logs/search?limit=500&'+q).then(r=>r.json());
  const key=q+JSON.stringify(d);if(seq!==logsSeq||key===logsKey||view!=='logs'||!$('logs'))return;logsKey=key;
  const opts=(id,list,all)=>{const el=$(id),v=el.value;el.innerHTML='<option value="">'+all+'</option>'+list.map(s=>'<option'+(s===v?' selected':'')+'>'+esc(s)+'</option>').join('')};
  opts('lsvc',d.services,'all services');opts('llvl',d.levels,'all levels');
  $('lcount').textContent=(d.matched===d.total?d.total+' logs':d.matched+' of '+d.total+' logs')+(d.logs.length<d.matched?', the newest '+d.logs.length+' shown':'');
  $('logs').innerHTML=d.logs.length?'<table class="t logs"><thead><tr><th>time</th><th>level</th><th>service</th><th>message</th><th></th></tr></thead><tbody>'+d.logs.map(l=>logRow(l,true)).join('')+'</tbody></table>':
    '<div class="empty">'+(d.total?'No log matches.':'No logs yet. Agents report them over gRPC (LogReportService) or POST /v3/logs.')+'</div>'}
// The selected trace's logs (those whose traceContext names it), under its waterfall.
async function pollTraceLogs(){const id=selected;if(!id)return;
  const d=await fetch('/api/logs/search?limit=200&traceId='+encodeURIComponent(id)).then(r=>r.json());
  if(id!==selected)return;const key=id+JSON.stringify(d);if(key===traceLogsKey&&$('tracelogs')&&$('tracelogs').dataset.key===key)return;traceLogsKey=key;traceLogs=d;
  // The span panel lists the selected span's logs too: draw the trace again.
  if(current&&view==='traces')render();else drawTraceLogs()}
function drawTraceLogs(){const el=$('tracelogs');if(!el||!traceLogs)return;el.dataset.key=traceLogsKey;const d=traceLogs;
  el.innerHTML=d.matched?'<h3>Logs of this trace <span class="badge">'+d.matched+'</span></h3><table class="t logs"><tbody>'+d.logs.slice().reverse().map(l=>logRow(l,false)).join('')+'</tbody></table>':'';
  el.onclick=e=>{const s=e.target.closest('[data-span]');if(s){selectedSpan=s.dataset.span;render()}}}
// The logs of one span, for its detail panel.
function spanLogs(segmentId,spanId){return traceLogs?traceLogs.logs.filter(l=>l.segmentId===segmentId&&l.spanId===spanId):[]}
`;
