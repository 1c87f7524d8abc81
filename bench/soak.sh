#!/usr/bin/env bash
# Soak run, by hand: 3 epochs of the fast preset on the CPU backend with the process's resident
# memory sampled every 10 seconds. Flat samples mean no leak across steps and epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release --quiet
"$CARGO_TARGET_DIR/release/resnet-explorer" train --model fast --epochs 3 --batch-size 128 --lr 0.1 > /tmp/soak-train.log &
pid=$!
echo "seconds  rss_MiB"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && printf '%7d  %7d\n' $(( $(date +%s) - start )) "$rss"
  sleep 10
done
wait "$pid"
grep -E "test acc|examples/sec" /tmp/soak-train.log
