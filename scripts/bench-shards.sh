#!/bin/sh
# Sharded run of an image folder on one machine, shard after shard: N fingerprint jobs then detect, each under
# /usr/bin/time (wall time, peak RSS), then compared with an unsharded report folder.
# usage: scripts/bench-shards.sh <dataset> <work-dir> <N> <unsharded-report-dir> [extra detect options]
set -e
data=$1; work=$2; n=$3; ref=$4; shift 4
cli="$(dirname "$0")/../dist/cli/main.js"
mkdir -p "$work"
i=0
while [ $i -lt $n ]; do
  /usr/bin/time -f "shard $i/$n: %e s, peak %M KB" node "$cli" scan "$data" --stage fingerprint --shard $i/$n --out "$work/fp-$i" --quiet
  i=$((i + 1))
done
/usr/bin/time -f "detect: %e s, peak %M KB" node "$cli" detect "$work"/fp-* --out "$work/report" --quiet --fail-on never "$@"
node -e 'const r=require(process.argv[1]+"/report.json");console.log("detect stages", JSON.stringify(r.timing.stages))' "$work/report"
cmp "$ref/scores.csv" "$work/report/scores.csv" && echo "scores.csv identical to $ref"
node -e 'const a=require(process.argv[1]+"/report.json"),b=require(process.argv[2]+"/report.json");
console.log(JSON.stringify(a.findings)===JSON.stringify(b.findings)&&JSON.stringify(a.errors)===JSON.stringify(b.errors)?"findings and errors identical":"REPORTS DIFFER")' "$ref" "$work/report"
