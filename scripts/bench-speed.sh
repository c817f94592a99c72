#!/usr/bin/env bash
# Scan speed vs decoding alone, and peak memory, on one image folder: wall time (keep the machine idle) and CPU time
# (user + system, all threads; steadier than wall time when other jobs share the cores).
# usage: scripts/bench-speed.sh IMAGEFOLDER [OUT_DIR]     (run `npm run build` first)
set -euo pipefail
data=${1:?usage: bench-speed.sh IMAGEFOLDER [OUT_DIR]}
out=${2:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
decode=$(node --input-type=module -e "
import { decodeBaseline } from '$here/dist/bench/bench.js';
import { cpus } from 'node:os';
const c0 = process.cpuUsage();
const d = await decodeBaseline(process.argv[1], cpus().length);
const c = process.cpuUsage(c0);
console.log(d.images, d.seconds.toFixed(1), ((c.user + c.system) / 1e6).toFixed(1));
" "$data")
read -r images decode_wall decode_cpu <<<"$decode"
echo "decode-only: $images images in $decode_wall s wall, $decode_cpu s CPU"
tf=$(mktemp)
/usr/bin/time -o "$tf" -f '%e %U %S %M' node "$here/dist/cli/main.js" scan "$data" --out "$out" --quiet --fail-on never
read -r scan_wall user sys rss <"$tf"
rm -f "$tf"
node -e "
const [dw, dc, sw, u, s, rss] = process.argv.slice(1).map(Number);
const r = require('$out/report.json');
console.log('scan: ' + sw.toFixed(1) + ' s wall, ' + (u + s).toFixed(1) + ' s CPU, peak RSS ' + rss + ' KiB');
console.log('ratio scan / decode: ' + (sw / dw).toFixed(2) + ' wall, ' + ((u + s) / dc).toFixed(2) + ' CPU');
console.log('scan report: ' + r.timing.seconds + ' s, ' + r.timing.samplesPerSecond + ' img/s, stages ' + JSON.stringify(r.timing.stages));
" "$decode_wall" "$decode_cpu" "$scan_wall" "$user" "$sys" "$rss"
