#!/bin/sh
# Extracts CIFAR-10 as image folders (train/<class>/*.jpg, test/<class>/*.jpg) from the benchmark data into
# .bench/cifar10 (ignored by git), once. Data: POISONSCAN_DATA, default ../shared/datasets.
# usage: scripts/extract-cifar10.sh
set -e
data=${POISONSCAN_DATA:-../shared/datasets}
out=.bench/cifar10
mkdir -p "$out"
for split in train test; do
  [ -d "$out/$split" ] || tar xf "$data/images/cifar10-$split.tar" -C "$out"
done
echo "$out/train: $(find "$out/train" -type f | wc -l) images; $out/test: $(find "$out/test" -type f | wc -l) images"
