#!/usr/bin/env bash
# Two builds of resnet-explorer against each other, alternated run by run on the same machine,
# with the median of each: the noise of a shared VM (runs of one build spread by +-15 % here)
# hides a 5-10 % change in any single pair. A benchmark run by hand, not a test:
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [RUNS=7] [bench options...]
#   RAYON_NUM_THREADS=1 bench/ab.sh /tmp/old target/release/resnet-explorer 9 --model fast --steps 100
#   BACKEND=wgpu bench/ab.sh /tmp/old /tmp/new 3 --model fast --steps 20   (builds with --features wgpu)
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,8p "$0"; exit 2; }
a=$1 b=$2 runs=${3:-7}
shift $(( $# >= 3 ? 3 : 2 ))
[ $# -gt 0 ] || set -- --model fast --steps 100
backend=${BACKEND:-cpu}
measure() { local bin=$1; shift; "$bin" bench --backend "$backend" "$@" 2>&1 | awk -v b="$backend" '$1 == b {print $(NF-1)}'; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ra=() rb=()
for ((i = 1; i <= runs; i++)); do
  x=$(measure "$a" "${@}"); y=$(measure "$b" "${@}")
  echo "run $i: A $x  B $y"
  ra+=("$x") rb+=("$y")
done
ma=$(printf '%s\n' "${ra[@]}" | median) mb=$(printf '%s\n' "${rb[@]}" | median)
echo "median ex/s: A $ma  B $mb  B/A $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", b/a}')"
