/* testutil.h - helpers shared by the test suites. */
#ifndef FA_TESTUTIL_H
#define FA_TESTUTIL_H

#include "suites.h"

#include <CUnit/CUnit.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* Every suite's registration function (defined in tests/test_<name>.c). */
#define X(name) void fa_suite_##name(void);
FA_TEST_SUITES(X)
#undef X

/* Adds a suite with the given tests ({name, fn} pairs ending in {NULL, NULL}). */
static inline void fa_test_add_suite(const char *name, const CU_TestInfo *tests)
{
    CU_SuiteInfo suites[] = {{name, NULL, NULL, NULL, NULL, (CU_TestInfo *)tests}, CU_SUITE_INFO_NULL};
    CU_register_suites(suites);
}

/* The GPU suites' LSE bound, FA_LSE_TOL, holds for the error this returns: |lse - ref| less
 * FA_LSE_ULPS * FLT_EPSILON * |ref| (8 to 16 float32 ulps of ref), what a float32 LSE cannot
 * hold of a row whose logits are large (gpu_random seed 2097: scores biased by 2.5 (q - k)
 * over 6000 keys put the LSE near 15000, where an ulp is 1e-3; it came back 1.75e-3 off). */
#define FA_LSE_TOL 1e-3
#define FA_LSE_ULPS 8
static inline double fa_lse_error(double lse, double ref)
{
    return fabs(lse - ref) - FA_LSE_ULPS * FLT_EPSILON * fabs(ref);
}

/* A variant whose sink tokens reach past its mask's key tiles: the mask's keys (the first 3)
 * lie in tile 0, the sinks in tiles 1 and 2 too (session 30's gpu_random seeds 2794 and 2939
 * lost those tiles), and its visibility. */
#define FA_TEST_HEAD3_SINKS150 "variant head3_sinks150 { sink 150; mask = k < 3; }"
static inline bool fa_test_head3_sinks150_visible(int q, int k)
{
    return k < 3 || (k < 150 && k <= q);
}

#endif
