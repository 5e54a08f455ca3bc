/* rt_test.c - helpers of the runtime suites. */
#include "fadsl.h"
#include "fadslc.h"
#include "rt_test.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char fa_rt_cache_dir[64];
static int saved_stderr = -1;
static char captured[80];

void fa_rt_setup(void)
{
    snprintf(fa_rt_cache_dir, sizeof fa_rt_cache_dir, "/tmp/fadsl-cache-test-XXXXXX");
    if (!mkdtemp(fa_rt_cache_dir))
        perror("mkdtemp");
    setenv("FADSL_CACHE_DIR", fa_rt_cache_dir, 1);
    setenv("FADSL_LOG", "0", 1);
    unsetenv("FADSL_CACHE_DISABLE");
    unsetenv("FADSL_ALWAYS_COMPILE");
    unsetenv("FADSL_PTX");
}

void fa_rt_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fa_rt_cache_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fa_rt_cache_dir);
}

void fa_rt_capture_begin(void)
{
    fflush(stderr);
    snprintf(captured, sizeof captured, "%s.stderr", fa_rt_cache_dir);
    int fd = open(captured, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

int fa_rt_capture_end(const char *needle)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    char *text = fa_read_file(captured, SIZE_MAX, NULL);
    unlink(captured);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)); p++)
        n++;
    free(text);
    return n;
}

void *fa_rt_upload(const void *host, size_t bytes)
{
    void *d = NULL;
    CU_ASSERT_EQUAL_FATAL(fadsl_device_alloc(&d, bytes), FADSL_OK);
    CU_ASSERT_EQUAL_FATAL(fadsl_copy_to_device(d, host, bytes), FADSL_OK);
    return d;
}
