# Session 18, call 4: every GPU suite on the NaN-restore commit (build-lead), then the Python tests.
(cd build-lead && FADSL_CACHE_DIR=/tmp/fg timeout 420 ./fadsl_tests rt_gpu gpu_checks gpu_paged gpu_fwd > $OUT/gpu_all.txt 2>&1; echo "gpu rc $?"; grep -E "NaN rows|FAIL|asserts|tests |cases" $OUT/gpu_all.txt | tail -14)
FADSL_CACHE_DIR=/tmp/cq FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 170 python3 -m pytest -q python/tests > $OUT/py_all.txt 2>&1; tail -2 $OUT/py_all.txt
