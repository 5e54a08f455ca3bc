/* test_util.c - arena, string buffer and hash. */
#include "fa.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

char *fa_test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

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

void fa_suite_util(void)
{
    static const CU_TestInfo tests[] = {
        {"arena", test_arena}, {"buf", test_buf}, {"hash", test_hash}, CU_TEST_INFO_NULL};
    fa_test_add_suite("util", tests);
}
