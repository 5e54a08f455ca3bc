/* rt_test.h - helpers of the runtime suites: a fresh cache directory a test, and stderr
 * capture. */
#ifndef FA_RT_TEST_H
#define FA_RT_TEST_H

#include <stddef.h>

/* The current test's cache directory (FADSL_CACHE_DIR points at it). */
extern char fa_rt_cache_dir[64];

/* CUnit per-test setup/teardown: make and point at a new temp cache dir (FADSL_LOG=0,
 * cache switches unset); remove it afterwards. */
void fa_rt_setup(void);
void fa_rt_teardown(void);

/* Sends stderr to a file until fa_rt_capture_end, which restores it and returns how many
 * times `needle` occurs in what was written. */
void fa_rt_capture_begin(void);
int fa_rt_capture_end(const char *needle);

/* A device copy of `bytes` host bytes (a failed allocation or copy fails the test). */
void *fa_rt_upload(const void *host, size_t bytes);

#endif
