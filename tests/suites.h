/* suites.h - every CUnit suite of fadsl_tests, one line each:
 * X(name) declares and registers `void fa_suite_<name>(void)` (defined in tests/test_<name>.c). */
#define FA_TEST_SUITES(X) \
    X(util)
