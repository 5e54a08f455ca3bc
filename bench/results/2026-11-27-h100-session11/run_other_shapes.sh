#!/bin/sh
# Session 11: do the two-stage d128 plans hold beyond the bars' shape? ef59246
# (build-lead/var/bench_head) against this tree (paged_decode_bench), interleaved, three
# rounds, 100 launches: GQA 8 (64 q / 8 kv) and MHA (32 / 32), block sizes 32 and 128,
# four new tokens a sequence (BENCH_Q_TOKENS=4), fp8 at GQA 8.
cd "$(dirname "$0")/../../.."
export BENCH_REPS=100
row() { # bench args
  echo "head $*: $(FADSL_CACHE_DIR=/tmp/oh build-lead/var/bench_head $* 2>&1 | grep '^| [0-9]')"
  echo "new  $*: $(FADSL_CACHE_DIR=/tmp/on build-lead/paged_decode_bench $* 2>&1 | grep '^| [0-9]')"
}
for r in 1 2 3; do
  row 64 4096 16 nhd bf16 64 8
  row 64 4096 16 hdb bf16 64 8
  row 16 4096 16 nhd bf16 32 32
  row 8 32768 32 nhd bf16
  row 8 32768 128 nhd bf16
  row 64 4096 16 nhd fp8e4m3 64 8
  row 8 32768 16 hdb fp8e4m3 64 8
  row 32 4096 16 hdb fp8e4m3
  export BENCH_Q_TOKENS=4
  row 64 4096 16 nhd bf16
  row 8 32768 16 hdb fp8e4m3
  unset BENCH_Q_TOKENS
done
