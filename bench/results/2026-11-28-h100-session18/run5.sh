# Session 18, call 5 (control): the same gpu_paged suite built without the NaN restore in
# templates/fa_common.cuh (build-exp/nofix/fadsl_tests): the sm_80 e4m3 NaN-key cases must
# fail. Then the Python tests again on build-lead (call 4's were cut by their timeout).
(cd build-lead && FADSL_CACHE_DIR=/tmp/fn timeout 390 ../build-exp/nofix/fadsl_tests gpu_paged > $OUT/gpu_paged_nofix.txt 2>&1; echo "rc $?"; grep -E "NaN rows|FAIL|asserts|cases" $OUT/gpu_paged_nofix.txt | tail -14)
FADSL_CACHE_DIR=/tmp/cq FADSL_LIBRARY=$PWD/build-lead/libfadsl.so timeout 190 python3 -m pytest -q python/tests > $OUT/py_all.txt 2>&1; tail -2 $OUT/py_all.txt
