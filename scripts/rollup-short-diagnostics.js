// Rollup plugin for the script-tag bundle only: diagnostics keep their level (and, for
// diag.once, their key) but drop their prose, about 1 KB gzipped. The npm builds keep
// every message; set a DiagLogger with an npm build to read them.
const STR = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/.source;
const ONCE = new RegExp(`(diag\\.once\\(\\s*'\\w+',\\s*)(${STR})(\\s*,\\s*)(${STR})`, 'g');
const PLAIN = new RegExp(`(diag\\.(?:warn|error|info|debug)\\(\\s*)(${STR})`, 'g');

export function shortDiagnostics() {
  return {
    name: 'short-diagnostics',
    transform(code, id) {
      if (!id.includes('/src/') || !code.includes('diag.')) return null;
      const out = code.replace(ONCE, '$1$2$3$2').replace(PLAIN, "$1'skywalking-tracing'");
      return { code: out, map: null };
    },
  };
}
