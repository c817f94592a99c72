#!/bin/sh
# One row of the scaling table: scan an image folder under /usr/bin/time, then print the stage timings, the peak
# RSS and the recall of the poisons listed in <folder>/poisonscan-truth.json.
# usage: scripts/bench-scale.sh <imagefolder> <out> [extra scan options]
set -e
data=$1; out=$2; shift 2
here=$(dirname "$0")
/usr/bin/time -v node "$here/../dist/cli/main.js" scan "$data" --out "$out" --quiet --fail-on never "$@" 2> "$out.time" || true
grep -E "Maximum resident|Elapsed \(wall|User time|System time" "$out.time"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1] + "/report.json", "utf8"));
console.log("samples", r.dataset.samples, "seconds", r.timing.seconds, JSON.stringify(r.timing.stages));
// One line per detector and severity: a 1M scan can have 100,000+ findings.
const counts = {};
for (const f of r.findings) { const k = f.detector + " " + f.severity; counts[k] = (counts[k] || 0) + 1; }
for (const [k, c] of Object.entries(counts)) console.log("findings", k, c);
' "$out"
node "$here/eval-scores.mjs" "$out/scores.arrow" "$data/poisonscan-truth.json" | grep -E "^score(_trigger-cluster)?:"
node -e '
const fs = require("fs"); const { tableFromIPC } = require("apache-arrow");
const t = tableFromIPC(fs.readFileSync(process.argv[1] + "/scores.arrow"));
const truth = new Set(JSON.parse(fs.readFileSync(process.argv[2] + "/poisonscan-truth.json", "utf8")).poisoned);
const ids = t.getChild("id").toArray(), s = t.getChild("score").toArray();
const order = [...s.keys()].sort((a, b) => s[b] - s[a]);
console.log("ranks of the poisoned:", order.map((i, r) => truth.has(ids[i]) ? r + 1 : 0).filter(Boolean).join(","));
' "$out" "$data"
