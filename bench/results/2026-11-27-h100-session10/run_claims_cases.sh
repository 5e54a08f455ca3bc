#!/bin/sh
# The paged GPU suite with four HDB fp8 decodes long enough to split, which on sm_90a must
# take the tile-claiming sibling (learned sinks, a causal chunk of 5, GQA 2 x 2 tokens, d64),
# then the same suite under FADSL_DETERMINISTIC=1 (even shares: no case may claim).
cd "$(dirname "$0")/../../.."
O=${OUT:?}
cd build-lead
FADSL_CACHE_DIR=/tmp/fc10 ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_claims.log 2>&1; echo "rc $?" >> $O/gpu_paged_claims.log
echo "ok: $(grep -c '^  ok' $O/gpu_paged_claims.log) claims: $(grep -c '(tile claims)' $O/gpu_paged_claims.log)"; grep "FAIL\|NOT" $O/gpu_paged_claims.log | head -5; tail -2 $O/gpu_paged_claims.log
FADSL_DETERMINISTIC=1 FADSL_CACHE_DIR=/tmp/fc10 ./fadsl_tests rt_gpu gpu_paged > $O/gpu_paged_deterministic.log 2>&1; echo "rc $?" >> $O/gpu_paged_deterministic.log
echo "deterministic ok: $(grep -c '^  ok' $O/gpu_paged_deterministic.log) claims: $(grep -c '(tile claims)' $O/gpu_paged_deterministic.log)"; grep "FAIL" $O/gpu_paged_deterministic.log | head -5; tail -2 $O/gpu_paged_deterministic.log
