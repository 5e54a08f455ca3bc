/* test_rt_cache.c - the disk cache's mechanics with a tiny real CUDA source: hits and
 * misses, corrupt and truncated entries, an unusable directory, concurrent processes,
 * a crash before publication, the env switches, the PTX path. One temp directory a test. */
#include "fart.h"
#include "rt_test.h"
#include "testutil.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const tiny_options[] = {"--gpu-architecture=sm_80", "--use_fast_math"};

/* A distinct tiny kernel per n (so entries differ), named "tiny". */
static fart_source tiny(int n, char *buf, size_t size)
{
    snprintf(buf, size, "extern \"C\" __global__ void tiny(float *x) { x[threadIdx.x] = %d.0f; }\n", n);
    return (fart_source){.source = buf, .options = tiny_options, .num_options = 2, .kernel_name = "tiny",
                         .arch = "sm_80", .smem_bytes = 1024, .threads = 128};
}

/* Gets tiny(n) and returns where it came from (-1 on error). */
static int get(int n, bool ptx)
{
    char buf[256];
    fart_source src = tiny(n, buf, sizeof buf);
    src.ptx = ptx;
    fart_image img;
    fadsl_origin origin;
    if (fart_image_get(&src, &img, &origin) != FADSL_OK) {
        printf("\n  %s\n", fadsl_last_error());
        return -1;
    }
    bool ok = img.size > 0 && img.smem_bytes == 1024 && img.threads == 128 && img.ptx == ptx;
    free(img.data);
    return ok ? (int)origin : -1;
}

typedef struct listing {
    int entries, valid;
    char path[512];
} listing;

static bool count(void *ud, const fadsl_cache_entry *e)
{
    listing *l = ud;
    l->entries++;
    l->valid += e->valid && strcmp(e->kernel_name, "tiny") == 0 && strcmp(e->arch, "sm_80") == 0;
    snprintf(l->path, sizeof l->path, "%s", e->path);
    return true;
}

static listing list(void)
{
    listing l = {0};
    CU_ASSERT_EQUAL(fadsl_cache_list(count, &l), FADSL_OK);
    return l;
}

/* Files in the cache directory whatever their names (temp files included). */
static int files_in_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", fa_rt_cache_dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = -1;
        pclose(f);
    }
    return n;
}

static void test_hit_after_miss(void)
{
    fadsl_cache_stats a, b;
    fadsl_cache_stats_get(&a);
    CU_ASSERT_EQUAL(get(1, false), FADSL_FROM_COMPILE);
    fadsl_cache_stats_get(&b);
    CU_ASSERT_EQUAL(b.compiles, a.compiles + 1);
    listing l = list();
    CU_ASSERT_EQUAL(l.entries, 1);
    CU_ASSERT_EQUAL(l.valid, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.path, ".cubin"));
    CU_ASSERT_EQUAL(get(1, false), FADSL_FROM_DISK);
    fadsl_cache_stats_get(&a);
    CU_ASSERT_EQUAL(a.disk_hits, b.disk_hits + 1);
    CU_ASSERT_EQUAL(a.compiles, b.compiles);
    CU_ASSERT_EQUAL(get(2, false), FADSL_FROM_COMPILE);   /* another source, another entry */
    CU_ASSERT_EQUAL(list().entries, 2);
    int removed = 0;
    CU_ASSERT_EQUAL(fadsl_cache_clear(&removed), FADSL_OK);
    CU_ASSERT_EQUAL(removed, 2);
    CU_ASSERT_EQUAL(list().entries, 0);
}

/* Damages the one entry with `damage`, then expects one warning, a recompile and a
 * valid replacement that the next lookup finds. */
static void expect_recovery(void (*damage)(const char *path))
{
    CU_ASSERT_EQUAL_FATAL(get(3, false), FADSL_FROM_COMPILE);
    listing l = list();
    damage(l.path);
    CU_ASSERT_EQUAL(list().valid, 0);
    fadsl_cache_stats a, b;
    fadsl_cache_stats_get(&a);
    fa_rt_capture_begin();
    int origin = get(3, false);
    CU_ASSERT_EQUAL(fa_rt_capture_end("is bad"), 1);
    CU_ASSERT_EQUAL(origin, FADSL_FROM_COMPILE);
    fadsl_cache_stats_get(&b);
    CU_ASSERT_EQUAL(b.corrupt_entries, a.corrupt_entries + 1);
    l = list();
    CU_ASSERT_EQUAL(l.entries, 1);
    CU_ASSERT_EQUAL(l.valid, 1);
    CU_ASSERT_EQUAL(get(3, false), FADSL_FROM_DISK);
}

static void flip_payload_byte(const char *path)
{
    int fd = open(path, O_RDWR);
    unsigned char c;
    CU_ASSERT_EQUAL(pread(fd, &c, 1, 300), 1);
    c ^= 0x40;
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, 300), 1);
    close(fd);
}

static void flip_header_byte(const char *path)
{
    int fd = open(path, O_RDWR);
    unsigned char c = 'X';
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, 100), 1);   /* inside the kernel name */
    close(fd);
}

static void truncate_payload(const char *path)
{
    struct stat st;
    stat(path, &st);
    CU_ASSERT_EQUAL(truncate(path, st.st_size / 2 + 200), 0);
}

static void truncate_header(const char *path)
{
    CU_ASSERT_EQUAL(truncate(path, 100), 0);
}

/* A FIFO in an entry's place: listing and loading it must not wait for a writer. */
static void fifo_in_place(const char *path)
{
    CU_ASSERT_EQUAL(remove(path), 0);
    CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
}

static void test_corrupt_payload(void) { expect_recovery(flip_payload_byte); }
static void test_fifo_entry(void) { expect_recovery(fifo_in_place); }
static void test_corrupt_header(void) { expect_recovery(flip_header_byte); }
static void test_truncated_payload(void) { expect_recovery(truncate_payload); }
static void test_truncated_header(void) { expect_recovery(truncate_header); }

/* Root ignores permissions, so the "directory" is under a regular file (ENOTDIR). */
static void test_unusable_dir(void)
{
    char file[128], bad[160];
    snprintf(file, sizeof file, "%s/plainfile", fa_rt_cache_dir);
    FILE *f = fopen(file, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    snprintf(bad, sizeof bad, "%s/cache", file);
    setenv("FADSL_CACHE_DIR", bad, 1);
    fadsl_cache_stats a, b;
    fadsl_cache_stats_get(&a);
    fa_rt_capture_begin();
    int o1 = get(4, false), o2 = get(5, false), o3 = get(4, false);
    int warnings = fa_rt_capture_end("warning");
    setenv("FADSL_CACHE_DIR", fa_rt_cache_dir, 1);
    CU_ASSERT_EQUAL(o1, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(o2, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(o3, FADSL_FROM_COMPILE);   /* nothing on disk: compiled again */
    CU_ASSERT_EQUAL(warnings, 1);
    fadsl_cache_stats_get(&b);
    CU_ASSERT_TRUE(b.write_failures > a.write_failures);
    /* A name component too long to open (ENAMETOOLONG): the directory's fault, said once,
     * never a corrupt entry a kernel (each lookup used to report one). */
    char named[512];
    int len = snprintf(named, sizeof named, "%s/", fa_rt_cache_dir);
    memset(named + len, 'n', 300);
    named[len + 300] = '\0';
    setenv("FADSL_CACHE_DIR", named, 1);
    fadsl_cache_stats_get(&a);
    fa_rt_capture_begin();
    o1 = get(4, false), o2 = get(5, false);
    warnings = fa_rt_capture_end("warning");
    setenv("FADSL_CACHE_DIR", fa_rt_cache_dir, 1);
    fadsl_cache_stats_get(&b);
    CU_ASSERT_EQUAL(o1, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(o2, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(warnings, 1);
    CU_ASSERT_EQUAL(b.corrupt_entries, a.corrupt_entries);
    /* A path too long for entry names below PATH_MAX: memory only, said once (it used to
     * turn the disk cache off without a word). */
    static char longdir[PATH_MAX];
    int n = snprintf(longdir, sizeof longdir, "%s/", fa_rt_cache_dir);
    memset(longdir + n, 'd', sizeof longdir - 100 - (size_t)n); /* past CACHE_DIR_MAX */
    setenv("FADSL_CACHE_DIR", longdir, 1);
    fa_rt_capture_begin();
    o1 = get(6, false), o2 = get(7, false);
    int said = fa_rt_capture_end("a cache directory may be; compiled kernels stay in memory only");
    /* listing and clearing such a directory say why, not that a buffer is short */
    int removed = -1;
    CU_ASSERT_EQUAL(fadsl_cache_clear(&removed), FADSL_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "compiled kernels stay in memory only"));
    setenv("FADSL_CACHE_DIR", fa_rt_cache_dir, 1);
    CU_ASSERT_EQUAL(o1, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(o2, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(said, 1);
}

/* 8 processes fill one cache at once (a shared entry and one each): every entry valid,
 * no temp file left, and every process got a good image. */
static void test_concurrent_processes(void)
{
    enum { N = 8 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        if ((pids[i] = fork()) == 0) {
            int shared = get(100, false), own = get(200 + i, false), again = get(100, false);
            _exit(shared >= 0 && own == FADSL_FROM_COMPILE && again == FADSL_FROM_DISK ? 0 : 1);
        }
        CU_ASSERT_TRUE_FATAL(pids[i] > 0);
    }
    for (int i = 0; i < N; i++) {
        int st = -1;
        waitpid(pids[i], &st, 0);
        CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    listing l = list();
    CU_ASSERT_EQUAL(l.entries, N + 1);
    CU_ASSERT_EQUAL(l.valid, N + 1);
    CU_ASSERT_EQUAL(files_in_dir(), N + 1);
    CU_ASSERT_EQUAL(get(100, false), FADSL_FROM_DISK);
}

static void crash(const char *tmp_path)
{
    _exit(42);
}

/* A process dying between writing its temp file and the rename publishes nothing. */
/* An entry whose header holds other launch metadata than the plan asks (the same source
 * planned for more shared memory) is bad: recompiled, and the image carries the plan's. */
static void test_other_launch_metadata(void)
{
    CU_ASSERT_EQUAL_FATAL(get(11, false), FADSL_FROM_COMPILE);
    char buf[256];
    fart_source src = tiny(11, buf, sizeof buf);
    src.smem_bytes = 64 * 1024;
    fart_image img;
    fadsl_origin origin;
    fa_rt_capture_begin();
    CU_ASSERT_EQUAL_FATAL(fart_image_get(&src, &img, &origin), FADSL_OK);
    CU_ASSERT_EQUAL(fa_rt_capture_end("planned for other shared memory"), 1);
    CU_ASSERT_EQUAL(origin, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(img.smem_bytes, 64 * 1024);
    free(img.data);
    src.threads = 256;
    CU_ASSERT_EQUAL_FATAL(fart_image_get(&src, &img, &origin), FADSL_OK);
    CU_ASSERT_EQUAL(origin, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(img.threads, 256);
    free(img.data);
}

/* A directory named like an entry is not one: neither listed nor cleared. */
static void test_directory_named_like_entry(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/0123456789abcdef0123456789abcdef.cubin", fa_rt_cache_dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
    CU_ASSERT_EQUAL(get(12, false), FADSL_FROM_COMPILE);
    listing l = list();
    CU_ASSERT_EQUAL(l.entries, 1);
    CU_ASSERT_EQUAL(l.valid, 1);
    int removed = -1;
    CU_ASSERT_EQUAL(fadsl_cache_clear(&removed), FADSL_OK);
    CU_ASSERT_EQUAL(removed, 1);
    struct stat st;
    CU_ASSERT_TRUE(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(path);
}

static void test_crash_before_rename(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        fart_cache_before_publish = crash;
        get(6, false);
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 42);
    CU_ASSERT_EQUAL(files_in_dir(), 1);   /* the orphaned temp file */
    CU_ASSERT_EQUAL(list().entries, 0);
    CU_ASSERT_EQUAL(get(6, false), FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(list().valid, 1);
    /* files that only look like temp files are not the cache's: clear leaves them */
    static const char *const foreign[] = {".tmp-notes.txt", ".fadsl-tmp-notes", ".tmp-12-34", ".fadsl-tmp-1-2-3-xyz"};
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", fa_rt_cache_dir, foreign[i]);
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fclose(f);
    }
    int removed = 0;
    fadsl_cache_clear(&removed);
    CU_ASSERT_EQUAL(removed, 2);          /* the entry and the stale temp file */
    CU_ASSERT_EQUAL(files_in_dir(), 4);   /* the foreign files */
}

static void remove_temp(const char *tmp_path)
{
    unlink(tmp_path);
}

/* A fadsl_cache_clear (another process's) removing a temp file before its rename: that
 * entry is not kept, the directory stays in use, and nothing is said. */
static void test_clear_before_rename(void)
{
    fadsl_cache_stats a, b;
    fadsl_cache_stats_get(&a);
    fart_cache_before_publish = remove_temp;
    fa_rt_capture_begin();
    int o1 = get(8, false);
    int warnings = fa_rt_capture_end("warning");
    fart_cache_before_publish = NULL;
    fadsl_cache_stats_get(&b);
    CU_ASSERT_EQUAL(o1, FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(warnings, 0);
    CU_ASSERT_EQUAL(b.write_failures, a.write_failures);
    CU_ASSERT_EQUAL(files_in_dir(), 0);
    CU_ASSERT_EQUAL(get(9, false), FADSL_FROM_COMPILE); /* stored: the directory still works */
    CU_ASSERT_EQUAL(get(9, false), FADSL_FROM_DISK);
}

static void test_env_switches(void)
{
    static const char *const off[] = {"0", "false", "No", "OFF", ""};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) { /* switched off in words too */
        setenv("FADSL_CACHE_DISABLE", off[i], 1);
        CU_ASSERT_FALSE(fart_env_flag("FADSL_CACHE_DISABLE"));
    }
    setenv("FADSL_CACHE_DISABLE", "yes", 1);
    CU_ASSERT_TRUE(fart_env_flag("FADSL_CACHE_DISABLE"));
    setenv("FADSL_CACHE_DISABLE", "1", 1);
    CU_ASSERT_EQUAL(get(7, false), FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(get(7, false), FADSL_FROM_COMPILE);
    CU_ASSERT_EQUAL(files_in_dir(), 0);
    unsetenv("FADSL_CACHE_DISABLE");
    CU_ASSERT_EQUAL(get(7, false), FADSL_FROM_COMPILE);
    setenv("FADSL_ALWAYS_COMPILE", "1", 1);
    CU_ASSERT_EQUAL(get(7, false), FADSL_FROM_COMPILE);
    unsetenv("FADSL_ALWAYS_COMPILE");
    CU_ASSERT_EQUAL(get(7, false), FADSL_FROM_DISK);

    char buf[256];
    unsetenv("FADSL_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    CU_ASSERT_EQUAL(fadsl_cache_dir(buf, sizeof buf), FADSL_OK);
    CU_ASSERT_STRING_EQUAL(buf, "/xdg/fadsl");
    unsetenv("XDG_CACHE_HOME");
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/home/u", 1);
    CU_ASSERT_EQUAL(fadsl_cache_dir(buf, sizeof buf), FADSL_OK);
    CU_ASSERT_STRING_EQUAL(buf, "/home/u/.cache/fadsl");
    CU_ASSERT_EQUAL(fadsl_cache_dir(buf, 8), FADSL_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "needs 21 bytes with its NUL, more than the 8 given"));
    CU_ASSERT_EQUAL(fadsl_cache_dir(NULL, 8), FADSL_ERR_NULL_POINTER);
    CU_ASSERT_EQUAL(fadsl_cache_list(NULL, NULL), FADSL_ERR_NULL_POINTER);
    CU_ASSERT_EQUAL(fadsl_cache_dir(buf, sizeof buf), FADSL_OK);
    CU_ASSERT_STRING_EQUAL(fadsl_last_error(), ""); /* a success leaves no stale message */
    fadsl_cache_stats_get(NULL); /* nothing to fill: no crash */
    if (home)
        setenv("HOME", home, 1);
    free(home);
    setenv("FADSL_CACHE_DIR", fa_rt_cache_dir, 1);
}

static void test_ptx_path(void)
{
    CU_ASSERT_EQUAL(get(8, true), FADSL_FROM_COMPILE);
    listing l = list();
    CU_ASSERT_EQUAL(l.valid, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.path, ".ptx"));
    char *text = fa_read_file(l.path, SIZE_MAX, NULL);
    CU_ASSERT(text && strstr(text + 256, ".target sm_80"));
    free(text);
    CU_ASSERT_EQUAL(get(8, true), FADSL_FROM_DISK);
    CU_ASSERT_EQUAL(get(8, false), FADSL_FROM_COMPILE);   /* the cubin is another entry */
}

static void test_nvrtc_error_and_log(void)
{
    fart_source src = tiny(9, (char[256]){0}, 256);
    src.source = "extern \"C\" __global__ void tiny(float *x) { x[threadIdx.x] = undeclared; }\n";
    fart_image img;
    fadsl_origin origin;
    CU_ASSERT_EQUAL(fart_image_get(&src, &img, &origin), FADSL_ERR_NVRTC);
    CU_ASSERT_PTR_NOT_NULL(strstr(fadsl_last_error(), "undeclared"));
    setenv("FADSL_LOG", "1", 1);
    fa_rt_capture_begin();
    get(10, false);
    int starts = fa_rt_capture_end("compiling tiny (sm_80, cubin)");
    fa_rt_capture_begin();
    get(11, false);
    int ends = fa_rt_capture_end("compiled tiny in");
    setenv("FADSL_LOG", "0", 1);
    CU_ASSERT_EQUAL(starts, 1);
    CU_ASSERT_EQUAL(ends, 1);
}

void fa_suite_rt_cache(void)
{
    static const CU_TestInfo tests[] = {{"hit_after_miss", test_hit_after_miss},
                                        {"corrupt_payload", test_corrupt_payload},
                                        {"corrupt_header", test_corrupt_header},
                                        {"truncated_payload", test_truncated_payload},
                                        {"truncated_header", test_truncated_header},
                                        {"fifo_entry", test_fifo_entry},
                                        {"other_launch_metadata", test_other_launch_metadata},
                                        {"directory_named_like_entry", test_directory_named_like_entry},
                                        {"unusable_dir", test_unusable_dir},
                                        {"clear_before_rename", test_clear_before_rename},
                                        {"concurrent_processes", test_concurrent_processes},
                                        {"crash_before_rename", test_crash_before_rename},
                                        {"env_switches", test_env_switches},
                                        {"ptx_path", test_ptx_path},
                                        {"nvrtc_error_and_log", test_nvrtc_error_and_log},
                                        CU_TEST_INFO_NULL};
    /* A fresh directory for every test. */
    CU_SuiteInfo suites[] = {{"rt_cache", NULL, NULL, fa_rt_setup, fa_rt_teardown,
                              (CU_TestInfo *)tests},
                             CU_SUITE_INFO_NULL};
    CU_register_suites(suites);
}
