#!/bin/bash
# Sharded poisonscan on Slurm: a job array fingerprints N slices to a shared file system, then a dependent job
# merges them and runs the detectors. Submit both (options on the command line override the #SBATCH lines):
#   jid=$(sbatch --parsable docs/examples/slurm-array.sh fingerprint)
#   sbatch --array=0 --mem=16G --dependency=afterok:$jid docs/examples/slurm-array.sh detect
# A requeued or preempted task resumes from its last finished fingerprint part (--resume).
#SBATCH --job-name=poisonscan
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=6G
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=poisonscan-%A_%a.log
set -euo pipefail
DATA=${DATA:-/shared/datasets/train}
RESULTS=${RESULTS:-/shared/poisonscan/$(basename "$DATA")}
SHARDS=${SHARDS:-8}   # keep equal to the --array range size
# poisonscan is not on the npm registry: a built checkout (`npm ci`) on the shared file system, or a packed tarball
# (POISONSCAN="npx --yes --package=/shared/poisonscan-0.1.0.tgz poisonscan").
POISONSCAN=${POISONSCAN:-node /shared/poisonscan/dist/cli/main.js}

case "${1:-fingerprint}" in
  fingerprint)
    $POISONSCAN scan "$DATA" --stage fingerprint --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
      --out "$RESULTS/fingerprints/shard-${SLURM_ARRAY_TASK_ID}" --resume --quiet --concurrency "${SLURM_CPUS_PER_TASK:-2}"
    ;;
  detect)
    # One task (--array=0). detect refuses a missing or doubled shard with one line and exit 2.
    $POISONSCAN detect "$RESULTS"/fingerprints/shard-* --out "$RESULTS/report" --sarif "$RESULTS/report/poisonscan.sarif" --fail-on high
    ;;
  *) echo "usage: slurm-array.sh fingerprint|detect" >&2; exit 2 ;;
esac
