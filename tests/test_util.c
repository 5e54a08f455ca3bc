/* test_util.c - arena, string buffer, hash, whole-file reads, the paged block-size rule. */
#include "fa.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_arena(void)
{
    fa_arena *a = fa_arena_new();
    char *big = fa_arena_alloc(a, 200000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    CU_ASSERT_EQUAL(big[199999], 0);
    char *s = fa_arena_strndup(a, "window_size", 6);
    CU_ASSERT_STRING_EQUAL(s, "window");
    CU_ASSERT_EQUAL((uintptr_t)fa_arena_alloc(a, 3) % 16, 0);
    fa_arena_free(a);
}

static void test_buf(void)
{
    fa_buf b = {0};
    for (int i = 0; i < 1000; i++)
        fa_buf_printf(&b, "%d,", i);
    CU_ASSERT_EQUAL(strncmp(b.data, "0,1,2,", 6), 0);
    CU_ASSERT_EQUAL(b.len, strlen(b.data));
    char *s = fa_buf_take(&b);
    CU_ASSERT_PTR_NULL(b.data);
    free(s);
}

static void test_hash(void)
{
    CU_ASSERT_NOT_EQUAL(fa_hash64("a", 1, 0), fa_hash64("b", 1, 0));
    CU_ASSERT_EQUAL(fa_hash64("abc", 3, 7), fa_hash64("abc", 3, 7));
    CU_ASSERT_NOT_EQUAL(fa_hash64("abc", 3, 7), fa_hash64("abc", 3, 8));
}

/* fa_read_file: every byte (NULs too, past the first read's 4 KB), a NUL after them; errno
 * for a missing file or a directory (which fa-dslc then looks up as a stdlib name), a file
 * over the size limit (also one whose size stat does not tell), and a FIFO or device, which
 * is refused without waiting on a writer. */
static void test_read_file(void)
{
    char path[] = "/tmp/fadsl-read-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    enum { N = 10000 };
    static char data[N];
    for (int i = 0; i < N; i++)
        data[i] = (char)(i % 251);   /* a NUL every 251 bytes */
    FILE *f = fdopen(fd, "wb");
    CU_ASSERT_FATAL(f && fwrite(data, 1, N, f) == N);
    fclose(f);
    size_t n = 0;
    char *s = fa_read_file(path, N, &n);   /* exactly at the limit */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(n, N);
    CU_ASSERT_EQUAL(memcmp(s, data, N), 0);
    CU_ASSERT_EQUAL(s[N], '\0');
    free(s);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file(path, N - 1, &n));
    CU_ASSERT_EQUAL(errno, EFBIG);
    remove(path);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file(path, SIZE_MAX, &n));
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file("/tmp", SIZE_MAX, NULL));
    CU_ASSERT_EQUAL(errno, EISDIR);
    /* a file that says it is empty but is not (st_size 0): read by doubling, up to max */
    s = fa_read_file("/proc/self/status", SIZE_MAX, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(n > 100 && strncmp(s, "Name:", 5) == 0 && strlen(s) == n);
    free(s);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file("/proc/self/status", 10, NULL));
    CU_ASSERT_EQUAL(errno, EFBIG);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file("/dev/zero", SIZE_MAX, NULL));   /* would never end */
    CU_ASSERT_EQUAL(errno, FA_ENOTREG);
    CU_ASSERT_PTR_NOT_NULL(strstr(fa_read_strerror(FA_ENOTREG), "not a regular file"));
    char fifo[] = "/tmp/fadsl-fifo-XXXXXX";
    int tmp = mkstemp(fifo);   /* a unique name, replaced by a FIFO no one writes to */
    CU_ASSERT_FATAL(tmp >= 0);
    close(tmp);
    remove(fifo);
    CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
    errno = 0;
    CU_ASSERT_PTR_NULL(fa_read_file(fifo, SIZE_MAX, NULL));
    CU_ASSERT_EQUAL(errno, FA_ENOTREG);
    remove(fifo);
}

/* fa_paged_block_size_valid takes exactly the sizes FA_PAGED_BLOCK_SIZES names. */
static void test_block_sizes(void)
{
    char listed[64] = "";
    size_t len = 0;
    for (int bs = -1; bs <= 256; bs++)
        if (fa_paged_block_size_valid(bs))
            len += (size_t)snprintf(listed + len, sizeof listed - len, "%s%d", len ? ", " : "", bs);
    CU_ASSERT_STRING_EQUAL(listed, FA_PAGED_BLOCK_SIZES);
}

void fa_suite_util(void)
{
    static const CU_TestInfo tests[] = {{"arena", test_arena},         {"buf", test_buf},
                                        {"hash", test_hash},           {"read_file", test_read_file},
                                        {"block_sizes", test_block_sizes}, CU_TEST_INFO_NULL};
    fa_test_add_suite("util", tests);
}
