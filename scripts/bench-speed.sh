#!/usr/bin/env bash
# Scan speed vs decoding alone, and peak memory, on one image folder.
# usage: scripts/bench-speed.sh IMAGEFOLDER [OUT_DIR]     (run `npm run build` first; keep the machine idle)
set -euo pipefail
data=${1:?usage: bench-speed.sh IMAGEFOLDER [OUT_DIR]}
out=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
node --input-type=module -e "
import { decodeBaseline } from '$here/dist/bench/bench.js';
import { cpus } from 'node:os';
const d = await decodeBaseline(process.argv[1], cpus().length);
console.log('decode-only: ' + d.images + ' images in ' + d.seconds.toFixed(1) + ' s (' + (d.images / d.seconds).toFixed(0) + ' img/s)');
" "$data"
/usr/bin/time -f 'scan: wall %e s, peak RSS %M KiB' node "$here/dist/cli/main.js" scan "$data" --out "$out" --quiet --fail-on never
node -e "
const r = require('$out/report.json');
console.log('scan report: ' + r.timing.seconds + ' s, ' + r.timing.samplesPerSecond + ' img/s, stages ' + JSON.stringify(r.timing.stages));
"
