#!/bin/bash
# Session 20 run 2 (H100): the control, then decode A/B. Control: the same paged suite built
# against 8fa74f5's templates (entries not checked): the bad-entry cases must fail there
# (a fault, zeros or a silent wrong answer), and only they.
D=bench/results/2026-11-28-h100-session20
(cd build-exp/control && FADSL_CACHE_DIR=/tmp/fc3 timeout 300 ./fadsl_tests gpu_paged > $OUT/gpu_paged_control.txt 2>&1)
grep -E "FAIL|within bounds|error" $OUT/gpu_paged_control.txt | cut -c1-170 | head -30
# Decode at the bar shapes: 8fa74f5's library and HEAD's alternated twice, same process each.
for r in 1 2; do
  for lib in old new; do
    so=$PWD/build-lead/libfadsl.so; [ $lib = old ] && so=$PWD/build-exp/lib_8fa.so
    FADSL_LIBRARY=$so FADSL_CACHE_DIR=/tmp/fc4$lib python3 bench/paged_decode.py --out $OUT/dec_$lib$r --quick > $OUT/dec_$lib$r.txt 2>&1
    echo "== $lib $r"; grep "|" $OUT/dec_$lib$r.txt | tail -12
  done
done
