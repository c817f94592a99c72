#!/usr/bin/env bash
# Baseline re-scan benchmark: first scan, re-scan of the unchanged data with --baseline, then a scan of a
# copy with 5 poisoned images (one data drop later) with the same baseline, and the diff between them.
# usage: scripts/bench-baseline.sh IMAGEFOLDER [WORK_DIR]      (run `npm run build` first; keep the machine idle)
set -euo pipefail
data=${1:?usage: bench-baseline.sh IMAGEFOLDER [WORK_DIR]}
work=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
cli="$here/dist/cli/main.js"
secs() { node -e "const r=require('$1/report.json'); console.log(r.timing.seconds + ' s (report), reused ' + (r.config.reusedFingerprints ?? 0) + ' fingerprints, stages ' + JSON.stringify(r.timing.stages))"; }
rm -rf "$work/first" "$work/again" "$work/drop" "$work/drop-data"
/usr/bin/time -f 'first scan: wall %e s, peak RSS %M KiB' node "$cli" scan "$data" --out "$work/first" --quiet --fail-on never
secs "$work/first"
/usr/bin/time -f 'unchanged re-scan with --baseline: wall %e s, peak RSS %M KiB' node "$cli" scan "$data" --out "$work/again" --baseline "$work/first" --quiet --fail-on never
secs "$work/again"
node "$cli" inject "$data" --out "$work/drop-data" --pattern checkerboard --size 3 --count 5 --target airplane --seed 7 > /dev/null
/usr/bin/time -f 'next drop (5 images changed) with --baseline: wall %e s, peak RSS %M KiB' node "$cli" scan "$work/drop-data" --out "$work/drop" --baseline "$work/first" --quiet --fail-on never
secs "$work/drop"
set +e
node "$cli" diff "$work/first" "$work/drop" --fail-on high
echo "diff exit code: $?"
