#!/bin/sh
# After the closing tidy (the sibling pick folded into take_sibling): the paged GPU suite.
cd "$(dirname "$0")/../../.."
O=${OUT:?}
(cd build-lead && FADSL_CACHE_DIR=/tmp/ftidy ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_tidy.log 2>&1; echo "rc $?" >> $O/gpu_paged_tidy.log)
echo "ok: $(grep -c '^  ok' $O/gpu_paged_tidy.log) claims: $(grep -c '(tile claims)' $O/gpu_paged_tidy.log) 64-key: $(grep -c '(64-key plan)' $O/gpu_paged_tidy.log)"; grep "FAIL\|NOT" $O/gpu_paged_tidy.log | head; tail -2 $O/gpu_paged_tidy.log
