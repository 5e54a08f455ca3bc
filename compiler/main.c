/* main.c - fa-dslc, the command-line face of the fadsl compiler.
 *
 *   fa-dslc VARIANT [options]     compile a variant (a .fa file, or a standard-library name)
 *   fa-dslc cache list|clear|dir  inspect the on-disk cubin cache
 *
 * Exit status: 0 success, 1 a diagnosed error (the variant, the key or the output), 2 bad
 * usage. An integer option's value that is not 1 to 1048576 in digits is bad usage; one in
 * that range that no kernel supports (--head-dim 7) is a key error.
 */
#include "fa.h"
#include "fadsl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_DIAGNOSED = 1, EXIT_USAGE = 2 };

typedef enum { EMIT_CUDA, EMIT_IR, EMIT_KEY, EMIT_CUBIN } emit_kind;

static const char usage_text[] =
    "usage: fa-dslc VARIANT [options]\n"
    "       fa-dslc cache list|clear|dir\n"
    "\n"
    "VARIANT is a .fa file, or the name of a standard-library variant (none, causal,\n"
    "sliding_window, ...; `fa-dslc --list` prints them).\n"
    "\n"
    "options:\n"
    "  --arch sm_80|sm_86|sm_89|sm_90a   target GPU (default sm_80)\n"
    "  --dtype fp16|bf16                 query/output type (default bf16)\n"
    "  --kv-dtype fp16|bf16|fp8e4m3|fp8e5m2  K/V type (default: --dtype)\n"
    "  --head-dim N                      64, 96, 128, 192 or 256 (default 128)\n"
    "  --gqa N                           query heads per KV head (default 1, at most 1048576)\n"
    "  --paged BLOCK_SIZE                paged KV cache with blocks of 8, 16, 32, 64 or 128 keys\n"
    "  --layout nhd|hdb                  paged cache layout (default nhd)\n"
    "  --varlen                          packed variable-length batch (cu_seqlens)\n"
    "  --decode                          decode kernel (a few new tokens a sequence, packed with --varlen):\n"
    "                                    over the --paged cache, or without --paged over dense K/V\n"
    "  --decode-tile64                   with --decode, fp8 --kv-dtype, head dim 64 or 128, --layout nhd (or\n"
    "                                    hdb with sm_90a and --paged <= 16): the 64-key tile a launch takes\n"
    "                                    for unsplit grids of more than one wave\n"
    "  --decode-rows N                   with --decode: size CTAs for N query rows a KV head (GQA x new\n"
    "                                    tokens: 16, 32, 48 or 64; default: the GQA ratio)\n"
    "  --decode-claims                   with --decode, fp8 --kv-dtype, --layout hdb, sm_90a, --paged <= 16,\n"
    "                                    one 16-row tile: the kernel a split launch takes, whose splits\n"
    "                                    claim key tiles as they go\n"
    "  --emit cuda|ir|key|cubin          what to write (default cuda)\n"
    "  -o FILE                           output file, replaced whole once written (default: stdout;\n"
    "                                    cubin: KERNEL.cubin); stdout, stderr or another open descriptor\n"
    "                                    (/dev/stdout, /dev/fd/N, ...) and devices are written in place\n"
    "  --dump-after PASS                 print the IR after PASS (lower, cse, fold, cse2, tile)\n"
    "                                    to stderr, then go on\n"
    "  --list                            list the standard-library variants\n"
    "  -h, --help                        this text\n"
    "\n"
    "N and BLOCK_SIZE are written in digits, 1 to 1048576. Exit status: 0 done; 1 a diagnosed\n"
    "error (the variant; the key, such as a head dim or block size no kernel has; an output that\n"
    "could not be written); 2 bad usage (such as an unknown option, or a value of the wrong form).\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "fa-dslc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'fa-dslc --help'.\n");
    return EXIT_USAGE;
}

/* Parses a decimal int from 1 to 1048576 written in digits only; false on anything else.
 * Whether a kernel supports the value is the key's check, not this one. */
static bool parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || errno || *end || v <= 0 || v > 1 << 20) /* digits only: no sign or space */
        return false;
    *out = (int)v;
    return true;
}

/* One `cache list` row; a corrupt entry also names its file (`cache clear` removes it). */
static bool print_entry(void *ud, const fadsl_cache_entry *e)
{
    (void)ud;
    printf("%s  %-6s %8llu  %s%s", e->valid ? "ok     " : "CORRUPT", e->arch, (unsigned long long)e->payload_size,
           e->kernel_name, e->path_kind == FADSL_PATH_PTX ? " (ptx)" : "");
    if (!e->valid)
        printf("%s%s", e->kernel_name[0] ? "  " : "", e->path);
    putchar('\n');
    return true;
}

static int cache_command(int argc, char **argv)
{
    if (argc != 3)
        return usage_error("cache needs one of: list, clear, dir%s", "");
    char dir[4096];
    if (fadsl_cache_dir(dir, sizeof dir) != FADSL_OK) {
        fprintf(stderr, "fa-dslc: error: %s\n", fadsl_last_error());
        return EXIT_DIAGNOSED;
    }
    if (strcmp(argv[2], "dir") == 0) {
        printf("%s\n", dir);
        return 0;
    }
    if (strcmp(argv[2], "list") == 0) {
        printf("# %s\n", dir);
        if (fadsl_cache_list(print_entry, NULL) != FADSL_OK) {
            fprintf(stderr, "fa-dslc: error: %s\n", fadsl_last_error());
            return EXIT_DIAGNOSED;
        }
        return 0;
    }
    if (strcmp(argv[2], "clear") == 0) {
        int removed = 0;
        if (fadsl_cache_clear(&removed) != FADSL_OK) {
            fprintf(stderr, "fa-dslc: error: %s\n", fadsl_last_error());
            return EXIT_DIAGNOSED;
        }
        printf("removed %d entries from %s\n", removed, dir);
        return 0;
    }
    return usage_error("unknown cache command '%s' (list, clear, dir)", argv[2]);
}

/* The descriptor this process already has open on `path`: N of /dev/fd/N or
 * /proc/self/fd/N, 0 to 2 of /dev/stdin, /dev/stdout and /dev/stderr, or 1 or 2 when path
 * names the very file stdout or stderr is (`-o out >> out`). -1 when none is. */
static int open_descriptor(const char *path)
{
    static const char *const std_names[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (int fd = 0; fd < 3; fd++)
        if (!strcmp(path, std_names[fd]))
            return fd;
    static const char *const fd_dirs[] = {"/dev/fd/", "/proc/self/fd/"};
    for (size_t d = 0; d < sizeof fd_dirs / sizeof fd_dirs[0]; d++) {
        size_t n = strlen(fd_dirs[d]);
        if (strncmp(path, fd_dirs[d], n) != 0 || !isdigit((unsigned char)path[n]))
            continue;
        char *end;
        errno = 0;
        long fd = strtol(path + n, &end, 10);
        if (!*end && !errno && fd <= INT_MAX)
            return (int)fd;
    }
    struct stat named, held;
    if (stat(path, &named) != 0)
        return -1;
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
        if (fstat(fd, &held) == 0 && named.st_dev == held.st_dev && named.st_ino == held.st_ino)
            return fd;
    return -1;
}

/* Follows `path` through symbolic links (a chain; a relative target is taken from its
 * link's directory) to the file it names, which need not exist yet: into `out`. False
 * with errno set (ELOOP past 40 links, ENAMETOOLONG). */
static bool follow_links(const char *path, char *out, size_t size)
{
    if (snprintf(out, size, "%s", path) >= (int)size)
        return errno = ENAMETOOLONG, false;
    for (int links = 0;; links++) {
        struct stat st;
        if (lstat(out, &st) != 0 || !S_ISLNK(st.st_mode))
            return true; /* no link (a missing file is created there) */
        if (links == 40)
            return errno = ELOOP, false;
        char target[PATH_MAX], next[PATH_MAX];
        ssize_t n = readlink(out, target, sizeof target - 1);
        if (n < 0)
            return false;
        target[n] = '\0';
        const char *slash = strrchr(out, '/');
        int dir_len = target[0] == '/' || !slash ? 0 : (int)(slash - out + 1);
        if (snprintf(next, sizeof next, "%.*s%s", dir_len, out, target) >= (int)sizeof next ||
            snprintf(out, size, "%s", next) >= (int)size)
            return errno = ENAMETOOLONG, false;
    }
}

/* Replaces regular file `path` (or creates it) with `len` bytes: written beside it under a
 * temporary name, then renamed over it, so a failed write leaves the old file whole. A
 * symlink is followed (the link stays, its target is replaced or created); an existing
 * file keeps its mode. False after writing the reason into `why`. */
static bool replace_file(const char *path, const void *data, size_t len, char *why, size_t why_size)
{
    char target[PATH_MAX], tmp[PATH_MAX + 16];
    if (!follow_links(path, target, sizeof target)) {
        snprintf(why, why_size, "%s", strerror(errno));
        return false;
    }
    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", target) >= (int)sizeof tmp) {
        snprintf(why, why_size, "%s", strerror(ENAMETOOLONG));
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        char dir[PATH_MAX];
        const char *slash = strrchr(target, '/');
        if (!slash)
            strcpy(dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 : (int)(slash - target), target);
        struct stat st;
        bool takes_no_files = err == ENOENT && stat(dir, &st) == 0 && S_ISDIR(st.st_mode); /* procfs, sysfs */
        snprintf(why, why_size, "cannot create a temporary file in %s: %s (-o replaces its file atomically "
                 "through a temporary file in the same directory, so %s must be a writable directory)", dir,
                 takes_no_files ? "the directory takes no new files" : strerror(err), dir);
        return false;
    }
    struct stat st;
    bool exists = stat(target, &st) == 0;
    mode_t mask = umask(0);
    umask(mask);
    bool ok = fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask) == 0 && fa_write_all(fd, data, len) &&
              fsync(fd) == 0;
    int err = errno;
    if (close(fd) != 0 && ok)
        ok = false, err = errno;
    if (ok && rename(tmp, target) != 0)
        ok = false, err = errno;
    if (!ok) {
        unlink(tmp);
        snprintf(why, why_size, "%s", strerror(err));
    }
    return ok;
}

/* Writes `len` bytes to `path` (or stdout when path is NULL). A regular file (or a new
 * one) is replaced whole or not at all; a device or pipe, or a descriptor already open
 * here (stdout, stderr, /dev/fd/N), is written in place, so `>>` keeps appending. */
static int write_output(const char *path, const void *data, size_t len)
{
    char why[2 * PATH_MAX + 256] = "";
    int fd = path ? open_descriptor(path) : STDOUT_FILENO;
    struct stat st;
    bool ok;
    if (fd == STDOUT_FILENO)
        ok = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
    else if (fd >= 0)
        ok = fa_write_all(fd, data, len);
    else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "wb");
        ok = f && fwrite(data, 1, len, f) == len;
        int err = errno;
        if (f && fclose(f) != 0 && ok)
            ok = false, err = errno;
        errno = err;
    } else
        ok = replace_file(path, data, len, why, sizeof why);
    if (!ok) {
        fprintf(stderr, "fa-dslc: error: cannot write %s: %s\n", path ? path : "stdout",
                why[0] ? why : strerror(errno));
        return EXIT_DIAGNOSED;
    }
    return 0;
}

/* The text of variant `input`: a file if one can be opened by that name, else (no such
 * file, or a directory) a standard-library name. NULL after saying why. An unreadable file
 * named like a standard-library variant is an error, not a silent substitution. */
static char *read_variant(const char *input)
{
    size_t n;
    int line, col;
    char *source = fa_read_file(input, FA_VARIANT_FILE_MAX, &n);
    if (source && fa_source_nul(source, n, &line, &col)) {
        fprintf(stderr, "%s:%d:%d: error: NUL byte in the variant file (variants are text)\n", input, line, col);
        free(source);
        return NULL;
    }
    if (source)
        return source;
    int err = errno;
    const char *std = fa_stdlib_source(input);
    if (std && (err == ENOENT || err == EISDIR)) {
        fa_buf b = {0};
        fa_buf_puts(&b, std);
        return fa_buf_take(&b);
    }
    char why[128];
    snprintf(why, sizeof why, err == EFBIG ? "%s: variant files are at most %zu bytes" : "%s",
             fa_read_strerror(err), FA_VARIANT_FILE_MAX);
    if (std)
        fprintf(stderr, "fa-dslc: error: cannot read '%s': %s (a file by that name is taken before the "
                        "standard-library variant; for that, run from another directory)\n", input, why);
    else
        fprintf(stderr, "fa-dslc: error: cannot read '%s': %s, and it is not a standard-library variant "
                        "(see fa-dslc --list)\n", input, why);
    return NULL;
}

/* Whether `out` names the file `in` (so writing it would destroy the variant). */
static bool same_file(const char *in, const char *out)
{
    struct stat a, b;
    return stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int run(int argc, char **argv);

/* Runs the command, then makes sure what it printed reached stdout (a closed or full
 * stdout is an error, not a silent loss). */
int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "fa-dslc: error: cannot write stdout: %s\n", strerror(errno));
        return EXIT_DIAGNOSED;
    }
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "cache") == 0)
        return cache_command(argc, argv);

    const char *input = NULL, *out_path = NULL, *dump_after = NULL;
    emit_kind emit = EMIT_CUDA;
    bool kv_dtype_set = false;
    int layout = -1; /* --layout, applied once --paged is known (either order) */
    fa_key key;
    fa_key_init(&key);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = !strcmp(a, "--arch") || !strcmp(a, "--dtype") || !strcmp(a, "--kv-dtype") ||
                           !strcmp(a, "--head-dim") || !strcmp(a, "--gqa") || !strcmp(a, "--paged") ||
                           !strcmp(a, "--layout") || !strcmp(a, "--emit") || !strcmp(a, "-o") ||
                           !strcmp(a, "--dump-after") || !strcmp(a, "--decode-rows");
        if (takes_value && !v)
            return usage_error("option %s needs a value", a);
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(a, "--list")) {
            for (int j = 0; fa_stdlib_name(j); j++)
                printf("%s\n", fa_stdlib_name(j));
            return 0;
        } else if (!strcmp(a, "--arch")) {
            if (!fa_arch_parse(v, &key.arch))
                return usage_error("unknown arch '%s' (sm_80, sm_86, sm_89, sm_90a)", v);
        } else if (!strcmp(a, "--dtype")) {
            if (!fa_dtype_parse(v, &key.dtype))
                return usage_error("unknown dtype '%s' (fp16, bf16)", v);
        } else if (!strcmp(a, "--kv-dtype")) {
            if (!fa_dtype_parse(v, &key.kv_dtype))
                return usage_error("unknown kv dtype '%s' (fp16, bf16, fp8e4m3, fp8e5m2)", v);
            kv_dtype_set = true;
        } else if (!strcmp(a, "--head-dim")) {
            if (!parse_int(v, &key.head_dim))
                return usage_error("--head-dim needs a positive integer up to 1048576, not '%s'", v);
        } else if (!strcmp(a, "--gqa")) {
            if (!parse_int(v, &key.gqa_ratio))
                return usage_error("--gqa needs a positive integer up to 1048576, not '%s'", v);
        } else if (!strcmp(a, "--paged")) {
            if (!parse_int(v, &key.paged_block_size))
                return usage_error("--paged needs a positive block size up to 1048576, not '%s'", v);
            key.paged_layout = FA_PAGED_NHD;
        } else if (!strcmp(a, "--layout")) {
            if (!strcmp(v, "nhd"))
                layout = FA_PAGED_NHD;
            else if (!strcmp(v, "hdb"))
                layout = FA_PAGED_HDB;
            else
                return usage_error("unknown layout '%s' (nhd, hdb)", v);
        } else if (!strcmp(a, "--varlen")) {
            key.varlen = true;
            continue;
        } else if (!strcmp(a, "--decode")) {
            key.decode = true;
            continue;
        } else if (!strcmp(a, "--decode-tile64")) {
            key.decode_tile64 = true;
            continue;
        } else if (!strcmp(a, "--decode-claims")) {
            key.decode_claims = true;
            continue;
        } else if (!strcmp(a, "--decode-rows")) {
            if (!parse_int(v, &key.decode_rows) || key.decode_rows % 16 || key.decode_rows > 64)
                return usage_error("--decode-rows needs 16, 32, 48 or 64, not '%s'", v);
        } else if (!strcmp(a, "--emit")) {
            if (!strcmp(v, "cuda"))
                emit = EMIT_CUDA;
            else if (!strcmp(v, "ir"))
                emit = EMIT_IR;
            else if (!strcmp(v, "key"))
                emit = EMIT_KEY;
            else if (!strcmp(v, "cubin"))
                emit = EMIT_CUBIN;
            else
                return usage_error("unknown --emit '%s' (cuda, ir, key, cubin)", v);
        } else if (!strcmp(a, "-o")) {
            if (!v[0])
                return usage_error("-o needs a file name, not an empty one%s", "");
            if (v[0] == '-')
                return usage_error("-o needs a file name, not the option '%s' (a file named so: ./NAME)", v);
            out_path = v;
        } else if (!strcmp(a, "--dump-after")) {
            static const char *const passes[] = {"lower", "cse", "fold", "cse2", "tile"};
            bool known = false;
            for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++)
                known = known || !strcmp(v, passes[p]);
            if (!known)
                return usage_error("unknown pass '%s' (lower, cse, fold, cse2, tile)", v);
            dump_after = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (input) {
            return usage_error("one variant at a time (got a second: '%s')", a);
        } else {
            input = a;
            continue;
        }
        if (takes_value)
            i++;
    }
    if (!input)
        return usage_error("no variant given%s", "");
    if (!kv_dtype_set)
        key.kv_dtype = key.dtype;
    if (layout >= 0 && !key.paged_block_size)
        return usage_error("--layout is a paged cache's layout: give --paged BLOCK_SIZE too%s", "");
    if (layout >= 0)
        key.paged_layout = (fa_paged_layout)layout;
    if (key.decode_tile64 && !key.decode)
        return usage_error("--decode-tile64 is a decode tile: give --decode too%s", "");
    if (key.decode_rows && !key.decode)
        return usage_error("--decode-rows sizes decode CTAs: give --decode too%s", "");
    if (key.decode_claims && !key.decode)
        return usage_error("--decode-claims is a decode kernel: give --decode too%s", "");

    /* The key is checked before the variant, for every --emit (ir too). */
    char err[512], name[256];
    fa_plan plan;
    if (fa_plan_key(&key, &plan, err, sizeof err) != FA_OK) {
        fprintf(stderr, "fa-dslc: error: %s\n", err);
        return EXIT_DIAGNOSED;
    }
    if (out_path && same_file(input, out_path))
        return usage_error("-o %s is the variant file itself: writing would destroy it", out_path);
    char *source = read_variant(input);
    if (!source)
        return EXIT_DIAGNOSED;

    char *diags = NULL;
    int n_errors = 0;
    char *dump = NULL;
    fa_program *prog = fa_program_compile_dump(input, source, dump_after, &dump, &diags, &n_errors);
    if (dump) {
        fprintf(stderr, "; IR after %s\n%s", dump_after, dump);
        free(dump);
    }
    if (diags && *diags)
        fputs(diags, stderr);
    free(diags);
    if (!prog) {
        fprintf(stderr, "%d error%s generated.\n", n_errors, n_errors == 1 ? "" : "s");
        free(source);
        return EXIT_DIAGNOSED;
    }
    fa_key_set_variant(&key, prog);

    int rc = 0;
    if (emit == EMIT_IR) {
        char *ir = fa_program_dump_ir(prog);
        rc = write_output(out_path, ir, strlen(ir));
        free(ir);
    } else if (fa_plan_key(&key, &plan, err, sizeof err) != FA_OK) {
        fprintf(stderr, "fa-dslc: error: %s\n", err);
        rc = EXIT_DIAGNOSED;
    } else if (emit == EMIT_KEY) {
        char desc[1024];
        fa_key_describe(&key, desc, sizeof desc);
        fa_key_name(&key, name, sizeof name);
        fa_buf b = {0};
        fa_buf_printf(&b, "key: %s\nkernel: %s\nplan: template=%s block_m=%d block_n=%d warps=%d stages=%d "
                      "threads=%d smem=%d tma=%d min_ctas=%d tile_claims=%d tile_scan=%d\n", desc, name,
                      plan.template_file, plan.block_m, plan.block_n, plan.num_warps, plan.stages, plan.threads,
                      plan.smem_bytes, plan.tma, plan.min_ctas, plan.tile_claims, plan.tile_scan);
        rc = write_output(out_path, b.data, b.len);
        fa_buf_free(&b);
    } else if (emit == EMIT_CUDA) {
        char *cu = fa_emit_cuda(prog, &key, &plan);
        rc = cu ? write_output(out_path, cu, strlen(cu)) : EXIT_DIAGNOSED;
        free(cu);
    } else {
        fadsl_compile_info info;
        /* The runtime takes the checked source text itself, whatever the file is named. */
        if (fadsl_compile(source, &key, &info) != FADSL_OK) {
            fprintf(stderr, "fa-dslc: error: %s\n", fadsl_last_error());
            rc = EXIT_DIAGNOSED;
        } else {
            char path[300];
            if (!out_path) {
                snprintf(path, sizeof path, "%s.%s", info.kernel_name, info.path == FADSL_PATH_PTX ? "ptx" : "cubin");
                out_path = path;
            }
            rc = write_output(out_path, info.image, info.image_size);
            if (rc == 0)
                fprintf(stderr, "fa-dslc: wrote %s (%zu bytes, %s, %.2f s)\n", out_path, info.image_size,
                        info.origin == FADSL_FROM_COMPILE ? "compiled" : "from cache", info.seconds);
        }
    }
    fa_program_free(prog);
    free(source);
    return rc;
}
