#!/bin/sh
# Per-CTA timelines (timeline_experiment.diff): one launch after the timed ones, globaltimer
# at a CTA's start, its first tile, its loop end and its end, the loop's waits, its SM;
# base against nomath (the loop without its math), two launches each.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
for cfg in "1 131072 16 hdb fp8e4m3" "64 4096 16 nhd fp8e4m3" "1 131072 16 nhd fp8e4m3" "64 4096 16 nhd bf16"; do
  for r in 1 2; do
    for v in base nomath; do
      n=$(echo "$cfg" | tr ' ' '_')
      echo "$v $cfg: $(BENCH_TIMELINE_OUT=$O/tl_${v}_${n}_$r.csv FADSL_CACHE_DIR=/tmp/ft_$v build-lead/var/bench_tl_$v $cfg 2>&1 | grep '^| [0-9]')"
    done
  done
done
