/* testutil.h - helpers shared by the test suites. */
#ifndef FA_TESTUTIL_H
#define FA_TESTUTIL_H

#include "suites.h"

#include <CUnit/CUnit.h>
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

#endif
