/* main.c - the fadsl_tests runner: registers every suite of suites.h and runs them.
 * `fadsl_tests [SUITE ...]` runs only the named suites; `--list-cpu-host` lists those that
 * need neither NVRTC nor a GPU (the sanitizer run). GPU suites print that they skipped
 * when no GPU is present; skipped tests are not counted as passed. */
#include "suites.h"
#include "testutil.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

static bool wanted(int argc, char **argv, const char *name)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

static bool is_device_suite(const char *name)
{
#define X(n)                    \
    if (strcmp(name, #n) == 0)  \
        return true;
    FA_DEVICE_SUITES(X)
#undef X
    return false;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list-cpu-host") == 0) {
#define X(name)                      \
    if (!is_device_suite(#name))     \
        printf("%s\n", #name);
        FA_TEST_SUITES(X)
#undef X
        return 0;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
#define X(name)                       \
    if (wanted(argc, argv, #name))    \
        fa_suite_##name();
    FA_TEST_SUITES(X)
#undef X
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned asserts_failed = CU_get_number_of_failures();
    unsigned run = CU_get_number_of_tests_run();
    printf("\n%u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return (failed || asserts_failed) ? 1 : 0;
}
