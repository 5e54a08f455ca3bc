/* suites.h - every CUnit suite of fadsl_tests, one line each:
 * X(name) declares and registers `void fa_suite_<name>(void)` (defined in tests/test_<name>.c). */
#define FA_TEST_SUITES(X) \
    X(util)               \
    X(ir)                 \
    X(tile)               \
    X(emit)               \
    X(variants_random)    \
    X(parser)             \
    X(diagnostics)        \
    X(cli)                \
    X(ref)                \
    X(rt_key)             \
    X(rt_random)          \
    X(rt_cache)           \
    X(rt_compile)         \
    X(rt_gpu)             \
    X(gpu_fwd)            \
    X(cubins)             \
    X(paged_cubins)       \
    X(gpu_paged)          \
    X(gpu_random)         \
    X(gpu_checks)

/* Suites that run NVRTC or a GPU: left out of the sanitizer run (`--list-cpu-host`), since
 * neither NVRTC nor the driver is instrumented and they only repeat there. */
#define FA_DEVICE_SUITES(X) \
    X(rt_cache)             \
    X(rt_compile)           \
    X(rt_gpu)               \
    X(gpu_fwd)              \
    X(cubins)               \
    X(paged_cubins)         \
    X(gpu_paged)            \
    X(gpu_random)           \
    X(gpu_checks)
