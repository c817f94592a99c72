#!/bin/sh
# Kill a scan with SIGKILL mid-fingerprinting, resume it, and compare with an uninterrupted scan of the same data.
# usage: scripts/bench-resume.sh <dataset> <work-dir> <seconds-before-kill> [--checkpoint-every N]
set -e
data=$1; work=$2; after=$3; shift 3
cli="$(dirname "$0")/../dist/cli/main.js"
mkdir -p "$work"
node "$cli" scan "$data" --out "$work/whole" --quiet --fail-on never "$@"
node "$cli" scan "$data" --out "$work/killed" --quiet --fail-on never "$@" & pid=$!
sleep "$after"; kill -9 $pid; wait $pid || true
echo "killed after ${after}s: $(ls "$work/killed/fingerprints.parts" | grep -c '^part-.*arrow$') finished parts"
start=$(date +%s.%N)
node "$cli" scan "$data" --out "$work/killed" --fail-on never --resume "$@" 2>&1 | grep -E "resumed|no finished" || true
echo "resume took $(echo "$(date +%s.%N) - $start" | bc) s"
cmp "$work/whole/scores.csv" "$work/killed/scores.csv" && echo "scores.csv identical"
node -e 'const a=require(process.argv[1]+"/report.json"),b=require(process.argv[2]+"/report.json");
console.log(JSON.stringify(a.findings)===JSON.stringify(b.findings)&&JSON.stringify(a.errors)===JSON.stringify(b.errors)?"findings and errors identical":"REPORTS DIFFER")' "$work/whole" "$work/killed"
