// The report page's stylesheet (inline; the page loads nothing).
export const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;color:#222;max-width:1180px;padding:0 16px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:0;display:inline}
a{color:#1a56a0}
table{border-collapse:collapse}
.facts td{padding:2px 14px 2px 0;vertical-align:top}
.sum{width:100%;font-size:13px}.sum th,.sum td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
.sum th{background:#f5f5f5;position:sticky;top:0}
.sum td.n{text-align:right}.sum td.d{white-space:nowrap}.sum small{color:#777}
nav ul{margin:4px 0;padding-left:20px;columns:2}
.charts{display:flex;flex-wrap:wrap;gap:24px}.charts div{flex:0 0 auto}
.chart text{font-size:10px;fill:#444}.chart .hot{fill:#c62828}.chart .cold{fill:#9fb6cd}
.chart .axis{stroke:#888}.chart .flag{stroke:#c62828;stroke-dasharray:4 3}
.sev{display:inline-block;min-width:52px;text-align:center;text-transform:uppercase;font-size:11px;padding:1px 6px;border-radius:3px;color:#fff;background:#9e9e9e}
.sev.high{background:#c62828}.sev.medium{background:#ef6c00}
details.finding{border:1px solid #ddd;border-left:6px solid #9e9e9e;padding:8px 12px;margin:10px 0;border-radius:4px}
details.finding.high{border-left-color:#c62828}details.finding.medium{border-left-color:#ef6c00}
details.finding>summary{cursor:pointer}
.meta{color:#555;margin:4px 0 8px;font-size:13px}
.why{margin:6px 0 8px;padding-left:20px}
.ev{font-size:12px;margin:4px 0}.ev th{text-align:left;font-weight:normal;color:#666;padding:1px 10px 1px 0;white-space:nowrap;vertical-align:top}.ev td{word-break:break-word}
.grid{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
figure{margin:0;max-width:136px;text-align:center}
.th{position:relative;display:inline-block;line-height:0}.th img{max-width:128px;max-height:128px;border:1px solid #ccc}
img.px{image-rendering:pixelated;width:128px;height:128px}
.th .box{position:absolute;box-sizing:border-box;border:2px solid #ff00ff;outline:1px solid #fff}
figcaption{font-size:11px;word-break:break-all;line-height:1.3;margin-top:2px}
.pair{display:flex;gap:16px;align-items:flex-end;margin:8px 0;padding:8px;background:#fafafa;border:1px solid #eee}
.pair .lbl{font-size:11px;color:#666;text-align:center}
.crop img{image-rendering:pixelated;border:1px solid #ccc}
.text{border:1px solid #eee;padding:6px;margin:4px 0}.tid{font-size:11px;color:#666}
.text pre,.raw pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:12px}
.cmp{display:grid;grid-template-columns:1fr 1fr;gap:8px}
mark{background:#ffe08a}
.more{color:#666;font-size:12px}
.limits li{margin:2px 0}
`;
