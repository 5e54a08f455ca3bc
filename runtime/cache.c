/* cache.c - the on-disk cache of compiled kernels.
 *
 * An entry is <dir>/<32 hex digits>.cubin (or .ptx): a 256-byte header, then the image.
 * The digits are the digest of (schema, source, NVRTC version, options, arch, kind); no
 * path or time enters it. Entries are published by write-to-temp + fsync + rename in the
 * same directory, so a reader sees a whole entry or none. Every field of the header is
 * verified on load; a bad entry is reported, recompiled and replaced. */
#include "fart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA "fadsl-cache-schema-1"
/* Temp files: TMP_PREFIX "<pid>-<seq>-<thread>-<ns>" in hex after the pid; earlier builds
 * wrote LEGACY_TMP_PREFIX "<pid>-<seq>-<thread>". fadsl_cache_clear removes only names of
 * those forms, so a foreign file of the directory is never taken for one. */
#define TMP_PREFIX ".fadsl-tmp-"
#define LEGACY_TMP_PREFIX ".tmp-"
enum { TMP_NAME_TRIES = 4 };

/* Header layout (host byte order; a cache belongs to one machine). */
enum {
    HDR_SIZE = 256,
    FORMAT_VERSION = 1,
    OFF_MAGIC = 0,          /* 8 bytes "FADSLKC\0" */
    OFF_FORMAT = 8,         /* u32 */
    OFF_KIND = 12,          /* u32: 0 cubin, 1 ptx */
    OFF_DIGEST = 16,        /* 16 bytes */
    OFF_NVRTC = 32,         /* i32 */
    OFF_SMEM = 36,          /* i32 */
    OFF_THREADS = 40,       /* i32 */
    OFF_PAYLOAD_SIZE = 48,  /* u64 */
    OFF_CHECKSUM = 56,      /* u64: digest of the payload */
    OFF_ARCH = 64,          /* 32 bytes, NUL-padded */
    ARCH_LEN = 32,
    OFF_KERNEL = 96,        /* 152 bytes, NUL-padded */
    KERNEL_LEN = 152,
    OFF_HDR_CHECKSUM = 248, /* u64: digest of bytes [0, 248) */
};
static const char magic[8] = "FADSLKC";

static atomic_uint_fast64_t n_memory_hits, n_disk_hits, n_compiles, n_corrupt, n_write_failures;

void (*fart_cache_before_publish)(const char *tmp_path);

void fart_count_memory_hit(void)
{
    n_memory_hits++;
}

void fadsl_cache_stats_get(fadsl_cache_stats *out)
{
    if (!out)
        return;
    out->memory_hits = n_memory_hits;
    out->disk_hits = n_disk_hits;
    out->compiles = n_compiles;
    out->corrupt_entries = n_corrupt;
    out->write_failures = n_write_failures;
}

static uint64_t digest64(const void *data, size_t n)
{
    fart_hash h;
    fart_hash_init(&h);
    fart_hash_update(&h, data, n);
    return h.a ^ h.b;
}

/* The longest cache directory path (with its NUL) used: room below PATH_MAX for any file
 * name in it, so that entries written can also be listed and cleared. */
enum { CACHE_DIR_MAX = PATH_MAX - 256 };
/* Entries larger than this are not ours (cubins and PTX of one kernel are well under a MB). */
#define CACHE_ENTRY_MAX ((size_t)256 << 20)

#define NO_CACHE_DIR "no cache directory: set FADSL_CACHE_DIR, XDG_CACHE_HOME or HOME"

/* The cache directory's path into buf: its length, or -1 when nothing names one. */
static int resolve_dir(char *buf, size_t size)
{
    const char *env = getenv("FADSL_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (env && *env)
        return snprintf(buf, size, "%s", env);
    if (xdg && *xdg)
        return snprintf(buf, size, "%s/fadsl", xdg);
    if (home && *home)
        return snprintf(buf, size, "%s/.cache/fadsl", home);
    return -1;
}

fadsl_status fadsl_cache_dir(char *buf, size_t size)
{
    fart_clear_error();
    if (!buf)
        return fart_fail(FADSL_ERR_NULL_POINTER, "cache dir: buf is NULL");
    int n = resolve_dir(buf, size);
    if (n < 0)
        return fart_fail(FADSL_ERR_IO, NO_CACHE_DIR);
    if ((size_t)n >= size)
        return fart_fail(FADSL_ERR_INVALID, "the cache directory path needs %d bytes with its NUL, more than the %zu "
                         "given", n + 1, size);
    return FADSL_OK;
}

/* ---- warnings about an unusable directory: one per directory ------------------------- */

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static char unusable_dir[PATH_MAX];

static bool dir_unusable(const char *dir)
{
    pthread_mutex_lock(&warn_lock);
    bool r = strcmp(unusable_dir, dir) == 0;
    pthread_mutex_unlock(&warn_lock);
    return r;
}

/* Marks `dir` memory-only and warns, once for the directory. */
static void mark_unusable(const char *dir, const char *what, int err)
{
    n_write_failures++;
    pthread_mutex_lock(&warn_lock);
    bool first = strcmp(unusable_dir, dir) != 0;
    if (first)
        snprintf(unusable_dir, sizeof unusable_dir, "%s", dir);
    pthread_mutex_unlock(&warn_lock);
    if (first) /* the reason before the path, which the line's length may cut */
        fart_warn("kernel cache unusable (%s: %s): %.512s%s; compiled kernels stay in memory only", what,
                  strerror(err), dir, strlen(dir) > 512 ? "..." : "");
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(p, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* ---- entries --------------------------------------------------------------------------- */

typedef struct entry_header {
    uint32_t format, kind;
    unsigned char digest[16];
    int32_t nvrtc, smem, threads;
    uint64_t payload_size, checksum;
    char arch[ARCH_LEN], kernel[KERNEL_LEN];
} entry_header;

static void put32(unsigned char *b, int off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(unsigned char *b, int off, uint64_t v) { memcpy(b + off, &v, 8); }
static uint32_t get32(const unsigned char *b, int off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint64_t get64(const unsigned char *b, int off) { uint64_t v; memcpy(&v, b + off, 8); return v; }

static void encode_header(const entry_header *h, unsigned char b[HDR_SIZE])
{
    memset(b, 0, HDR_SIZE);
    memcpy(b + OFF_MAGIC, magic, sizeof magic);
    put32(b, OFF_FORMAT, h->format);
    put32(b, OFF_KIND, h->kind);
    memcpy(b + OFF_DIGEST, h->digest, 16);
    put32(b, OFF_NVRTC, (uint32_t)h->nvrtc);
    put32(b, OFF_SMEM, (uint32_t)h->smem);
    put32(b, OFF_THREADS, (uint32_t)h->threads);
    put64(b, OFF_PAYLOAD_SIZE, h->payload_size);
    put64(b, OFF_CHECKSUM, h->checksum);
    memcpy(b + OFF_ARCH, h->arch, ARCH_LEN);
    memcpy(b + OFF_KERNEL, h->kernel, KERNEL_LEN);
    put64(b, OFF_HDR_CHECKSUM, digest64(b, OFF_HDR_CHECKSUM));
}

/* Decodes and checks a whole entry file image (header and payload checksum); returns
 * NULL or what is wrong with it. */
static const char *decode_entry(const unsigned char *f, size_t n, entry_header *h)
{
    if (n < HDR_SIZE)
        return "truncated header";
    if (memcmp(f + OFF_MAGIC, magic, sizeof magic) != 0)
        return "bad magic";
    if (get64(f, OFF_HDR_CHECKSUM) != digest64(f, OFF_HDR_CHECKSUM))
        return "header checksum mismatch";
    h->format = get32(f, OFF_FORMAT);
    if (h->format != FORMAT_VERSION)
        return "unknown format version";
    h->kind = get32(f, OFF_KIND);
    memcpy(h->digest, f + OFF_DIGEST, 16);
    h->nvrtc = (int32_t)get32(f, OFF_NVRTC);
    h->smem = (int32_t)get32(f, OFF_SMEM);
    h->threads = (int32_t)get32(f, OFF_THREADS);
    h->payload_size = get64(f, OFF_PAYLOAD_SIZE);
    h->checksum = get64(f, OFF_CHECKSUM);
    memcpy(h->arch, f + OFF_ARCH, ARCH_LEN);
    memcpy(h->kernel, f + OFF_KERNEL, KERNEL_LEN);
    h->arch[ARCH_LEN - 1] = h->kernel[KERNEL_LEN - 1] = '\0';
    if (h->payload_size != n - HDR_SIZE)
        return h->payload_size > n - HDR_SIZE ? "truncated payload" : "trailing bytes";
    if (digest64(f + HDR_SIZE, n - HDR_SIZE) != h->checksum)
        return "payload checksum mismatch";
    return NULL;
}

/* The effective option list: the caller's with the arch option set to src->arch (as
 * compute_XX for PTX). Strings point into `arch_opt`. */
static fadsl_status effective_options(const fart_source *src, const char **opts, int cap, int *n,
                                      char *arch_opt, size_t arch_len)
{
    const char *arch = src->arch;
    if (strncmp(arch, "sm_", 3) != 0)
        return fart_fail(FADSL_ERR_INVALID, "arch '%s' is not a real arch (sm_XX)", arch);
    snprintf(arch_opt, arch_len, "--gpu-architecture=%s%s", src->ptx ? "compute_" : "sm_", arch + 3);
    if (src->num_options + 1 > cap)
        return fart_fail(FADSL_ERR_INVALID, "%d NVRTC options: at most %d", src->num_options, cap - 1);
    *n = 0;
    bool placed = false;
    for (int i = 0; i < src->num_options; i++) {
        const char *o = src->options[i];
        bool is_arch = strncmp(o, "--gpu-architecture=", 19) == 0 || strncmp(o, "-arch=", 6) == 0;
        if (is_arch && placed)
            continue;
        opts[(*n)++] = is_arch ? arch_opt : o;
        placed |= is_arch;
    }
    if (!placed)
        opts[(*n)++] = arch_opt;
    return FADSL_OK;
}

static void source_digest(const fart_source *src, const char *const *opts, int n, unsigned char out[16])
{
    fart_hash h;
    fart_hash_init(&h);
    fart_hash_str(&h, SCHEMA);
    fart_hash_str(&h, src->source);
    fart_hash_int(&h, fart_nvrtc_version());
    fart_hash_int(&h, n);
    for (int i = 0; i < n; i++)
        fart_hash_str(&h, opts[i]);
    fart_hash_str(&h, src->arch);
    fart_hash_str(&h, src->ptx ? "ptx" : "cubin");
    memcpy(out, &h.a, 8);
    memcpy(out + 8, &h.b, 8);
}

/* True when a read of an entry of `dir` failed (errno `err`) because of the directory, not
 * the entry: its path too long or looping, or the directory closed to this user. The store
 * that follows then fails too and reports the directory once (mark_unusable). */
static bool dir_read_error(const char *dir, int err)
{
    return err == ENAMETOOLONG || err == ELOOP || ((err == EACCES || err == EPERM) && access(dir, R_OK | X_OK) != 0);
}

/* Loads the entry at `path` of `dir` if it is the one expected: 1 loaded, 0 absent (or the
 * directory unreadable: dir_read_error), -1 bad (why). */
static int load_entry(const char *dir, const char *path, const unsigned char digest[16], const fart_source *src,
                      fart_image *out, const char **why)
{
    size_t n = 0;
    unsigned char *f = (unsigned char *)fa_read_file(path, CACHE_ENTRY_MAX, &n);
    if (!f) {
        const int err = errno; /* dir_read_error's access() may change errno */
        if (err == ENOENT || err == ENOTDIR || dir_read_error(dir, err))
            return 0;
        *why = fa_read_strerror(err);
        return -1;
    }
    entry_header h;
    *why = decode_entry(f, n, &h);
    if (!*why) {
        if (memcmp(h.digest, digest, 16) != 0)
            *why = "digest differs from its file name";
        else if (h.nvrtc != fart_nvrtc_version())
            *why = "built by another NVRTC version";
        else if (strcmp(h.arch, src->arch) != 0)
            *why = "built for another arch";
        else if (h.kind != (src->ptx ? 1u : 0u))
            *why = "wrong image kind";
        else if (strcmp(h.kernel, src->kernel_name) != 0)
            *why = "holds another kernel";
        else if (h.smem != src->smem_bytes || h.threads != src->threads)
            *why = "planned for other shared memory or threads";
    }
    if (*why) {
        free(f);
        return -1;
    }
    memmove(f, f + HDR_SIZE, n - HDR_SIZE);
    f[n - HDR_SIZE] = '\0';   /* fa_read_file left room: PTX stays a C string */
    out->data = (char *)f;
    out->size = n - HDR_SIZE;
    out->ptx = src->ptx;
    out->smem_bytes = h.smem;
    out->threads = h.threads;
    return 1;
}

/* Publishes an entry: temp file in the same directory, fsync, close, rename. On failure
 * the directory becomes memory-only (one warning), except when a concurrent clear took the
 * temp file. */
static void store_entry(const char *dir, const char *path, const unsigned char digest[16], const fart_source *src,
                        const fart_image *img)
{
    static atomic_uint seq;
    entry_header h = {.format = FORMAT_VERSION, .kind = img->ptx, .nvrtc = fart_nvrtc_version(),
                      .smem = img->smem_bytes, .threads = img->threads, .payload_size = img->size,
                      .checksum = digest64(img->data, img->size)};
    memcpy(h.digest, digest, 16);
    snprintf(h.arch, sizeof h.arch, "%s", src->arch);
    snprintf(h.kernel, sizeof h.kernel, "%s", src->kernel_name);
    unsigned char hdr[HDR_SIZE];
    encode_header(&h, hdr);

    /* the time part keeps names apart across PID namespaces and reused pids; a name taken
     * anyway (a crashed writer's) is skipped for the next */
    char tmp[PATH_MAX];
    int fd = -1;
    for (int i = 0; i < TMP_NAME_TRIES && fd < 0; i++) {
        struct timespec ts = {0};
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%ld-%x-%llx-%llx", dir, (long)getpid(), seq++,
                 (unsigned long long)(uintptr_t)pthread_self(),
                 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        mark_unusable(dir, "create", errno);
        return;
    }
    bool ok = fa_write_all(fd, hdr, HDR_SIZE) && fa_write_all(fd, img->data, img->size) && fsync(fd) == 0;
    int err = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && fart_cache_before_publish)
        fart_cache_before_publish(tmp);
    if (!ok || rename(tmp, path) != 0) {
        if (ok)
            err = errno;
        unlink(tmp);
        /* a temp file gone before its rename was removed by a fadsl_cache_clear of another
         * thread or process: this entry is not kept, the directory still works */
        if (!(ok && err == ENOENT))
            mark_unusable(dir, ok ? "rename" : "write", err);
        return;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

static fadsl_status compile(const fart_source *src, const char *const *opts, int n, fart_image *out)
{
    const char *kind = src->ptx ? "ptx" : "cubin";
    fart_log("compiling %s (%s, %s)", src->kernel_name, src->arch, kind);
    double t0 = fart_now();
    fadsl_status s = fart_nvrtc_compile(src->source, src->kernel_name, opts, n, src->ptx, &out->data, &out->size);
    if (s) {
        fart_log("compiling %s failed after %.2f s", src->kernel_name, fart_now() - t0);
        return s;
    }
    n_compiles++;
    fart_log("compiled %s in %.2f s (%zu bytes of %s)", src->kernel_name, fart_now() - t0, out->size, kind);
    out->ptx = src->ptx;
    out->smem_bytes = src->smem_bytes;
    out->threads = src->threads;
    return FADSL_OK;
}

fadsl_status fart_image_get(const fart_source *src, fart_image *out, fadsl_origin *origin)
{
    const char *opts[64];
    char arch_opt[64];
    int n = 0;
    fadsl_status s = effective_options(src, opts, 64, &n, arch_opt, sizeof arch_opt);
    if (s)
        return s;
    unsigned char digest[16];
    source_digest(src, opts, n, digest);

    char dir[CACHE_DIR_MAX], path[PATH_MAX];
    int dir_len = fart_env_flag("FADSL_CACHE_DISABLE") ? -1 : resolve_dir(dir, sizeof dir);
    bool disk = dir_len >= 0 && (size_t)dir_len < sizeof dir;
    if (dir_len >= 0 && !disk) { /* no room below PATH_MAX for entry names: said once a process */
        static atomic_bool said;
        n_write_failures++;
        if (!atomic_exchange(&said, true))
            fart_warn("kernel cache directory %.64s... is %d bytes long, above the %d a cache directory may be; "
                      "compiled kernels stay in memory only", dir, dir_len, CACHE_DIR_MAX - 1);
    }
    if (disk) {
        char *p = path + snprintf(path, sizeof path, "%s/", dir);
        for (int i = 0; i < 16; i++)
            p += sprintf(p, "%02x", digest[i]);
        strcpy(p, src->ptx ? ".ptx" : ".cubin");
    }
    if (disk && !fart_env_flag("FADSL_ALWAYS_COMPILE")) {
        const char *why = NULL;
        int r = load_entry(dir, path, digest, src, out, &why);
        if (r > 0) {
            n_disk_hits++;
            *origin = FADSL_FROM_DISK;
            return FADSL_OK;
        }
        if (r < 0) {
            n_corrupt++;
            fart_warn("cache entry %s is bad (%s): recompiling it", path, why);
        }
    }
    if ((s = compile(src, opts, n, out)))
        return s;
    *origin = FADSL_FROM_COMPILE;
    if (disk && !dir_unusable(dir)) {
        if (make_dirs(dir) != 0)
            mark_unusable(dir, "mkdir", errno);
        else
            store_entry(dir, path, digest, src, out);
    }
    return FADSL_OK;
}

/* ---- listing and clearing -------------------------------------------------------------- */

/* True when `s` is one or more characters of `set`, then `end` (or the string's end when end
 * is 0); *rest (may be NULL) gets what follows `end`. */
static bool run_of(const char *s, const char *set, char end, const char **rest)
{
    size_t n = strspn(s, set);
    if (n == 0 || s[n] != end)
        return false;
    if (rest)
        *rest = s + n + (end != 0);
    return true;
}

/* True for a temp file this library writes (TMP_PREFIX) or wrote (LEGACY_TMP_PREFIX). */
static bool is_temp_name(const char *name)
{
    static const char *const dec = "0123456789", *const hex = "0123456789abcdef";
    const char *s;
    if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
        return run_of(name + strlen(TMP_PREFIX), dec, '-', &s) && run_of(s, hex, '-', &s) &&
               run_of(s, hex, '-', &s) && run_of(s, hex, 0, NULL);
    return strncmp(name, LEGACY_TMP_PREFIX, strlen(LEGACY_TMP_PREFIX)) == 0 &&
           run_of(name + strlen(LEGACY_TMP_PREFIX), dec, '-', &s) && run_of(s, dec, '-', &s) && run_of(s, hex, 0, NULL);
}

/* True for "<32 hex>.cubin" / "<32 hex>.ptx"; *ptx tells which. */
static bool is_entry_name(const char *name, bool *ptx)
{
    for (int i = 0; i < 32; i++)
        if (!name[i] || !strchr("0123456789abcdef", name[i]))
            return false;
    *ptx = strcmp(name + 32, ".ptx") == 0;
    return *ptx || strcmp(name + 32, ".cubin") == 0;
}

/* Calls fn(ud, dir, name, ptx) for each entry (and, if tmp, each temp file) of the
 * cache directory; stops when fn returns false. A missing directory has no entries. */
static fadsl_status walk(bool tmp, bool (*fn)(void *, const char *, const char *, bool), void *ud)
{
    char dir[CACHE_DIR_MAX];
    int dir_len = resolve_dir(dir, sizeof dir);
    if (dir_len < 0)
        return fart_fail(FADSL_ERR_IO, NO_CACHE_DIR);
    if ((size_t)dir_len >= sizeof dir) /* what the compile path warns of */
        return fart_fail(FADSL_ERR_INVALID, "kernel cache directory %.64s... is %d bytes long, above the %d a cache "
                         "directory may be: compiled kernels stay in memory only, so it holds no entries of fadsl's",
                         dir, dir_len, CACHE_DIR_MAX - 1);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? FADSL_OK : fart_fail(FADSL_ERR_IO, "cannot open %s: %s", dir, strerror(errno));
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d))) {
        bool ptx = false;
        bool wanted = is_entry_name(e->d_name, &ptx) || (tmp && is_temp_name(e->d_name));
        /* a directory is nobody's entry, whatever its name (a FIFO or a symlink in an
         * entry's place is a bad entry: listed invalid, cleared) */
        if (wanted && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            continue;
        if (wanted && !fn(ud, dir, e->d_name, ptx))
            break;
    }
    closedir(d);
    return FADSL_OK;
}

typedef struct list_ctx {
    bool (*fn)(void *ud, const fadsl_cache_entry *e);
    void *ud;
} list_ctx;

static bool list_one(void *ud, const char *dir, const char *name, bool ptx)
{
    list_ctx *c = ud;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n = 0;
    unsigned char *f = (unsigned char *)fa_read_file(path, CACHE_ENTRY_MAX, &n);
    entry_header h = {0};
    bool valid = f && !decode_entry(f, n, &h);
    free(f);
    fadsl_cache_entry e = {.path = path, .kernel_name = valid ? h.kernel : "", .arch = valid ? h.arch : "",
                           .path_kind = ptx ? FADSL_PATH_PTX : FADSL_PATH_CUBIN,
                           .payload_size = valid ? h.payload_size : 0, .valid = valid};
    return c->fn(c->ud, &e);
}

fadsl_status fadsl_cache_list(bool (*fn)(void *ud, const fadsl_cache_entry *e), void *ud)
{
    fart_clear_error();
    if (!fn)
        return fart_fail(FADSL_ERR_NULL_POINTER, "cache list: fn is NULL");
    list_ctx c = {fn, ud};
    return walk(false, list_one, &c);
}

static bool clear_one(void *ud, const char *dir, const char *name, bool ptx)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unlink(path) == 0)
        ++*(int *)ud;
    return true;
}

fadsl_status fadsl_cache_clear(int *removed)
{
    fart_clear_error();
    int n = 0;
    fadsl_status s = walk(true, clear_one, &n);
    if (removed)
        *removed = n;
    return s;
}
