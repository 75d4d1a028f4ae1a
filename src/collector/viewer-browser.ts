// The viewer's browser view: pages with their views, page-load timings (averages and
// percentiles), LCP, CLS and INP rated against web.dev's thresholds, and errors grouped by
// message. Browser-side script, included in the viewer page (viewer-page.ts).

/** Styles of the browser view. */
export const BROWSER_CSS = `
.view{max-width:1400px}
.view h2{display:flex;align-items:baseline;gap:10px}.view h2 small{font-size:12px;color:var(--muted);font-weight:400}
.view h2 small a{color:inherit}
.view section{margin-bottom:22px}
table.t{border-collapse:collapse;width:100%;background:var(--panel);border:1px solid var(--line);border-radius:8px;overflow:hidden}
table.t th{background:var(--raised);color:var(--muted);font-weight:500;font-size:12px;text-align:right;padding:6px 8px;white-space:nowrap}
table.t td{padding:5px 8px;border-top:1px solid #1a2743;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.t th:first-child,table.t td:first-child{text-align:left}
table.t td.page{max-width:300px;overflow:hidden;text-overflow:ellipsis}
table.t tr.pick{cursor:pointer}table.t tr.pick:hover td{background:var(--raised)}table.t tr.sel td{background:#1b2b4d}
.muted{color:var(--muted)}
.rate{display:inline-flex;align-items:center;gap:5px;border-radius:9px;padding:0 7px;font-size:12px}
.rate.good{background:#123b2c;color:#6ee7b7}.rate.needs-improvement{background:#45361a;color:var(--warn)}.rate.poor{background:#4a1d24;color:var(--err)}
.bands{display:flex;height:8px;border-radius:4px;overflow:hidden;background:var(--line);margin:4px 0 2px;min-width:120px}
.bands .g{background:#34d399}.bands .n{background:#fbbf24}.bands .p{background:#f87171}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card h4{margin:0 0 2px;font-size:12px;color:var(--muted);font-weight:500}
.card .big{font-size:20px;font-weight:600}
.pagedetail{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:14px;margin-top:12px}
.errgroup{background:var(--panel);border:1px solid var(--line);border-left:3px solid var(--err);border-radius:8px;padding:8px 12px;margin-bottom:8px}
.errgroup.Warning{border-left-color:var(--warn)}
.errgroup .msg{font-weight:600;word-break:break-word}
.errgroup .meta{color:var(--muted);font-size:12px;margin-top:2px;word-break:break-all}
.errgroup summary{cursor:pointer;color:var(--muted);font-size:12px;margin-top:4px}
`;

/** `pollBrowser()` draws the view into #main. */
export const BROWSER_JS = `
const TIMING_NAMES={redirectTime:'Redirect',dnsTime:'DNS',tcpTime:'TCP connect',sslTime:'TLS',ttfbTime:'TTFB',transTime:'Transfer',firstPackTime:'First packet',
  fptTime:'First paint (FPT)',domAnalysisTime:'DOM analysis',ttlTime:'Time to interactive',domReadyTime:'DOM ready',resTime:'Resources',loadPageTime:'Page load'};
const VITAL_NAMES={lcp:'LCP',cls:'CLS',inp:'INP',fmp:'FMP'};
const RATING_TEXT={good:'good','needs-improvement':'needs improvement',poor:'poor'};
let browserKey='',browserPage=null;
const msv=v=>v>=1000?(v/1000).toFixed(2)+' s':(Math.round(v*10)/10)+' ms';
const vitalValue=(k,v)=>k==='cls'?String(v):msv(v);
function vitalCell(k,m){if(!m)return '<td class="muted">–</td>';
  const t=m.count+' values, p75 '+vitalValue(k,m.p75)+(m.rating?': '+m.good+' good, '+m.needsImprovement+' needs improvement, '+m.poor+' poor':'');
  return '<td title="'+esc(t)+'">'+(m.rating?'<span class="rate '+m.rating+'">'+vitalValue(k,m.p75)+'</span>':vitalValue(k,m.p75))+'</td>'}
async function pollBrowser(){
  const [p,g]=await Promise.all([fetch('/api/browser/pages').then(r=>r.json()),fetch('/api/browser/error-groups').then(r=>r.json())]);
  const key=JSON.stringify([p,g,browserPage]);if(key===browserKey||view!=='browser')return;browserKey=key;drawBrowser(p,g)}
function drawBrowser(p,g){
  const th=p.thresholds;
  let h='<div class="view"><section><h2>Pages <small>'+p.total+' page'+(p.total===1?'':'s')+' · p75 rated as web.dev does: LCP ≤ '+th.lcp[0]+' ms good, > '+th.lcp[1]+' ms poor; CLS ≤ '+th.cls[0]+' / > '+th.cls[1]+'; INP ≤ '+th.inp[0]+' / > '+th.inp[1]+' ms · <a href="/api/browser/pages" target="_blank">JSON</a></small></h2>';
  if(!p.pages.length)h+='<div class="empty">No page views yet. Browser agents report them to /browser/perfData (or BrowserPerfService).</div>';
  else{
    h+='<table class="t" id="pages"><thead><tr><th>Page</th><th>Views</th><th>Errors</th><th title="Largest Contentful Paint, p75">LCP</th><th title="Cumulative Layout Shift, p75">CLS</th><th title="Interaction to Next Paint, p75">INP</th><th title="First Meaningful Paint, p75">FMP</th><th>Load avg</th><th>p50</th><th>p75</th><th>p95</th></tr></thead><tbody>';
    const pk=x=>JSON.stringify([x.service,x.pagePath]),sel=p.pages.find(x=>pk(x)===browserPage)||p.pages[0];
    for(const x of p.pages){const l=x.timings.loadPageTime,k=pk(x);
      h+='<tr class="pick'+(x===sel?' sel':'')+'" data-k="'+esc(k)+'"><td class="page" title="'+esc(x.service+' '+x.pagePath)+'"><span class="svc" style="background:'+color(x.service)+'"></span>'+esc(x.pagePath)+' <span class="muted">'+esc(x.service)+'</span></td>'+
        '<td>'+x.views+'</td><td>'+(x.errors?'<span class="badge err">'+x.errors+'</span>':'0')+'</td>'+vitalCell('lcp',x.vitals.lcp)+vitalCell('cls',x.vitals.cls)+vitalCell('inp',x.vitals.inp)+vitalCell('fmp',x.vitals.fmp)+
        (l?'<td>'+msv(l.avg)+'</td><td>'+msv(l.p50)+'</td><td>'+msv(l.p75)+'</td><td>'+msv(l.p95)+'</td>':'<td class="muted" colspan="4">no full page load</td>')+'</tr>'}
    h+='</tbody></table>'+pageDetail(sel)}
  h+='</section><section><h2>Errors <small>'+g.total+' group'+(g.total===1?'':'s')+' by message · <a href="/api/browser/error-groups" target="_blank">JSON</a></small></h2><div id="errgroups">';
  if(!g.groups.length)h+='<div class="empty">No browser errors.</div>';
  for(const e of g.groups){
    const pages=e.pages.map(x=>esc(x.pagePath)+' ×'+x.count).join(', ')+(e.otherPages?' and '+e.otherPages+' more':'');
    h+='<div class="errgroup '+esc(e.grade)+'"><div class="msg">'+esc(e.message||'(no message)')+'<span class="badge err">×'+e.count+'</span><span class="badge">'+esc(e.category)+'</span>'+(e.grade?'<span class="badge">'+esc(e.grade)+'</span>':'')+'</div>'+
      '<div class="meta">'+esc(e.service)+' · on '+pages+(e.errorUrl?' · '+esc(e.errorUrl)+(e.line?':'+e.line+(e.col?':'+e.col:''):''):'')+' · last '+clock(e.lastTime)+'</div>'+
      (e.stack?'<details><summary>stack</summary><pre>'+esc(e.stack)+'</pre></details>':'')+'</div>'}
  $('main').innerHTML=h+'</div></section></div>';
  const t=$('pages');if(t)t.onclick=e=>{const r=e.target.closest('tr.pick');if(r){browserPage=r.dataset.k;pollBrowser()}}}
// One page: every timing with its percentiles, and each vital's share of good / needs improvement / poor.
function pageDetail(x){
  let h='<div class="pagedetail"><div><h3 class="muted" style="font-size:13px;margin:0 0 6px">'+esc(x.pagePath)+' · '+x.views+' view'+(x.views===1?'':'s')+', '+x.loads+' full load'+(x.loads===1?'':'s')+'</h3>';
  const ks=Object.keys(TIMING_NAMES).filter(k=>x.timings[k]);
  if(ks.length){h+='<table class="t" id="timings"><thead><tr><th>Timing</th><th>avg</th><th>p50</th><th>p75</th><th>p95</th><th>max</th><th>n</th></tr></thead><tbody>';
    for(const k of ks){const m=x.timings[k];h+='<tr><td title="'+k+'">'+TIMING_NAMES[k]+'</td><td>'+msv(m.avg)+'</td><td>'+msv(m.p50)+'</td><td>'+msv(m.p75)+'</td><td>'+msv(m.p95)+'</td><td>'+msv(m.max)+'</td><td>'+m.count+'</td></tr>'}
    h+='</tbody></table>'}else h+='<div class="muted">No full page load measured (route changes only).</div>';
  h+='</div><div class="cards" id="vitals">';
  for(const k of ['lcp','cls','inp','fmp']){const m=x.vitals[k];
    if(!m){h+='<div class="card"><h4>'+VITAL_NAMES[k]+'</h4><div class="muted">not measured</div></div>';continue}
    const n=m.good+m.needsImprovement+m.poor,pc=v=>n?Math.round(v/n*100):0;
    h+='<div class="card vital-'+k+'"><h4>'+VITAL_NAMES[k]+' · p75</h4><div class="big">'+vitalValue(k,m.p75)+(m.rating?' <span class="rate '+m.rating+'">'+RATING_TEXT[m.rating]+'</span>':'')+'</div>'+
      (m.rating?'<div class="bands" title="good '+m.good+' · needs improvement '+m.needsImprovement+' · poor '+m.poor+'"><span class="g" style="width:'+pc(m.good)+'%"></span><span class="n" style="width:'+pc(m.needsImprovement)+'%"></span><span class="p" style="width:'+pc(m.poor)+'%"></span></div>'+
        '<div class="muted" style="font-size:12px">'+pc(m.good)+'% good · '+pc(m.needsImprovement)+'% needs improvement · '+pc(m.poor)+'% poor</div>':'<div class="muted" style="font-size:12px">shown as is</div>')+
      '<div class="muted" style="font-size:12px">avg '+vitalValue(k,m.avg)+' · p50 '+vitalValue(k,m.p50)+' · p95 '+vitalValue(k,m.p95)+' · n '+m.count+'</div></div>'}
  return h+'</div></div>'}
`;
