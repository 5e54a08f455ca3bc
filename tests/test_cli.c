/* test_cli.c - fa-dslc as a user runs it: exit status (0 ok, 1 diagnosed, 2 usage),
 * outputs and messages. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* Runs shell command `cmd` from the source tree with $B naming fa-dslc; returns the exit
 * status and the combined stdout+stderr in out (truncated to size). */
static int sh(const char *cmd, char *out, size_t size)
{
    char full[2048];
    snprintf(full, sizeof full, "cd '%s' && B='%s/fa-dslc' && { %s; } 2>&1", FA_SOURCE_DIR, FA_BINARY_DIR, cmd);
    FILE *p = popen(full, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs fa-dslc with `args` (shell words), as sh() does. */
static int run(const char *args, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "\"$B\" %s", args);
    return sh(cmd, out, size);
}

static char out[1 << 18]; /* a kernel's CUDA C fits whole (a short read would break fa-dslc's pipe) */

static void test_usage(void)
{
    CU_ASSERT_EQUAL(run("--help", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "usage: fa-dslc VARIANT"));
    CU_ASSERT_EQUAL(run("", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no variant given"));
    CU_ASSERT_EQUAL(run("causal --arch sm_99", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown arch 'sm_99' (sm_80, sm_86, sm_89, sm_90a)"));
    CU_ASSERT_EQUAL(run("causal --head-dim abc", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--head-dim needs a positive integer up to 1048576, not 'abc'"));
    CU_ASSERT_EQUAL(run("causal --head-dim +64", out, sizeof out), 2); /* digits only */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--head-dim needs a positive integer up to 1048576, not '+64'"));
    /* past the range integer options take, or 0: usage, saying the range (in it but with no
     * kernel, such as --head-dim 7: a key error, see test_diagnosed) */
    CU_ASSERT_EQUAL(run("causal --head-dim 1048577", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--head-dim needs a positive integer up to 1048576, not '1048577'"));
    CU_ASSERT_EQUAL(run("causal --paged 0", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--paged needs a positive block size up to 1048576, not '0'"));
    CU_ASSERT_EQUAL(run("causal -o ''", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "-o needs a file name, not an empty one"));
    CU_ASSERT_EQUAL(run("causal --emit", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "option --emit needs a value"));
    CU_ASSERT_EQUAL(run("causal --bogus", out, sizeof out), 2);
    CU_ASSERT_EQUAL(run("causal none", out, sizeof out), 2);
    CU_ASSERT_EQUAL(run("causal --dump-after nope", out, sizeof out), 2);
    CU_ASSERT_EQUAL(run("--list", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sliding_window\n"));
}

static void test_diagnosed(void)
{
    CU_ASSERT_EQUAL(run("examples/bad_variant.fa", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "examples/bad_variant.fa:6:30: error: unknown name 'windw'\n"
                                       "    6 |     mask = k <= q && q - k < windw;\n"
                                       "      |                              ^~~~~\n"
                                       "      = hint: did you mean 'window'?\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 errors generated."));
    CU_ASSERT_EQUAL(run("no/such/file.fa", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot read 'no/such/file.fa'"));
    /* A directory is no variant file (it used to read as an empty one). */
    CU_ASSERT_EQUAL(run("examples", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot read 'examples': Is a directory, and it is not a standard-library"));
    /* A device or a FIFO is refused at once (they used to block, or grow without end); a
     * file past the size limit is refused with the limit. */
    CU_ASSERT_EQUAL(run("/dev/zero", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot read '/dev/zero': not a regular file"));
    CU_ASSERT_EQUAL(sh("d=$(mktemp -d) && mkfifo \"$d/v.fa\" && \"$B\" \"$d/v.fa\"; s=$?; rm -r \"$d\"; exit $s",
                       out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "v.fa': not a regular file (a pipe, socket or device)"));
    CU_ASSERT_EQUAL(sh("f=$(mktemp) && head -c 1048577 /dev/zero | tr '\\0' ' ' > \"$f\" && \"$B\" \"$f\"; s=$?; "
                       "rm \"$f\"; exit $s", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, ": File too large: variant files are at most 1048576 bytes"));
    CU_ASSERT_EQUAL(run("causal --head-dim 7", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "head_dim 7 is not supported"));
    CU_ASSERT_EQUAL(run("causal --head-dim 100", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "head_dim 100 is not supported (supported: 64, 96, 128, 192, 256)"));
    CU_ASSERT_EQUAL(run("causal --paged 7", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "paged block size 7 is invalid (valid: 8, 16, 32, 64, 128)"));
}

/* Outputs: a closed or full stdout, a failed file write (nothing half-written), -o naming
 * the variant file, an unreadable file named like a stdlib variant, NUL bytes. */
static void test_outputs(void)
{
    char dir[] = "/tmp/fa_cli_XXXXXX", args[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CU_ASSERT_EQUAL(run("causal --emit key >/dev/full", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write stdout: No space left on device"));
    CU_ASSERT_EQUAL(run("--list >&-", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write stdout: Bad file descriptor"));
    /* a write cut short (file size limit) keeps the old file and leaves no temporary */
    snprintf(args, sizeof args, "echo old > %s/k.cu; (trap '' XFSZ; ulimit -f 4; \"$B\" causal -o %s/k.cu); "
             "echo rc=$?; cat %s/k.cu; ls %s | wc -l", dir, dir, dir, dir);
    sh(args, out, sizeof out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "File too large\nrc=1\nold\n1\n"));
    snprintf(args, sizeof args, "\"$B\" causal -o %s/k.cu && wc -c < %s/k.cu", dir, dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 0);
    CU_ASSERT(atoi(out) > 10000);
    CU_ASSERT_EQUAL(run("examples/alibi_swa.fa -o examples/../examples/alibi_swa.fa", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "is the variant file itself"));
    CU_ASSERT_EQUAL(run("causal -o --emit", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "-o needs a file name, not the option '--emit'"));
    snprintf(args, sizeof args, "cd %s && printf 'variant a { mask = k <= q; }\\n\\000 )))' > nul.fa && "
             "\"$B\" nul.fa --emit key", dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "nul.fa:2:1: error: NUL byte in the variant file"));
    /* a directory named like a stdlib variant is no file: the variant is the stdlib's */
    snprintf(args, sizeof args, "cd %s && mkdir causal && \"$B\" causal --emit key", dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stdlib=1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " paged=0 layout=- "));
    snprintf(args, sizeof args, "rm -rf %s", dir);
    sh(args, out, sizeof out);
    CU_ASSERT_EQUAL(sh("FADSL_CACHE_DIR=README.md \"$B\" cache list", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "fa-dslc: error: "));
    /* the key is checked for every --emit */
    CU_ASSERT_EQUAL(run("causal --emit ir --head-dim 80", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "head_dim 80 is not supported"));
}

/* -o naming stdout, stderr or another open descriptor writes it in place (it used to rename
 * a new file over the one stdout was redirected to, losing what was there); a dangling
 * symlink gets its target created (it used to be replaced by a file); a file that cannot be
 * replaced says why. */
static void test_output_paths(void)
{
    char dir[] = "/tmp/fa_cli_XXXXXX", args[1024];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(args, sizeof args, "cd %s && echo HEAD > a && \"$B\" causal --emit ir -o /dev/stdout >> a && "
             "(echo FIRST; \"$B\" causal --emit key -o /dev/stdout; echo LAST) > g && "
             "head -1 g && tail -1 g && \"$B\" causal --emit key -o g >> g && grep -c kernel: g && "
             "\"$B\" causal --emit key -o /dev/fd/3 3>> a && head -2 a && grep -c kernel: a", dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "FIRST\nLAST\n2\nHEAD\nvariant causal\n1\n");
    snprintf(args, sizeof args, "cd %s && echo X > e && \"$B\" causal --emit key -o /dev/stderr 2>> e && "
             "head -1 e && grep -c kernel: e", dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "X\n1\n");
    /* a chain of links, relative to each link's directory: the links stay, the end is made */
    snprintf(args, sizeof args, "cd %s && mkdir sub && ln -s sub/l2 l1 && ln -s new sub/l2 && "
             "\"$B\" causal --emit ir -o l1 && test -L l1 && test -L sub/l2 && head -1 sub/new && "
             "ln -s nodir/x l3; \"$B\" causal --emit ir -o l3; test -L l3 && echo rc=$?", dir);
    sh(args, out, sizeof out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "variant causal\nfa-dslc: error: cannot write l3: cannot create a temporary "
                                       "file in nodir: No such file or directory"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
    CU_ASSERT_EQUAL(run("causal -o /proc/version", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write /proc/version: cannot create a temporary file in /proc: the "
                                       "directory takes no new files (-o replaces its file atomically through a "
                                       "temporary file in the same directory"));
    /* a writable file in a read-only directory (run as nobody when root, whom modes do not stop) */
    snprintf(args, sizeof args, "cd %s && chmod 755 . && mkdir ro && touch ro/f.cu && chmod 555 ro && "
             "as=; [ $(id -u) != 0 ] || as='setpriv --reuid=65534 --regid=65534 --clear-groups'; "
             "$as \"$B\" causal -o ro/f.cu; s=$?; chmod 755 ro; exit $s", dir);
    CU_ASSERT_EQUAL(sh(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cannot write ro/f.cu: cannot create a temporary file in ro: Permission "
                                       "denied (-o replaces its file atomically through a temporary file in the "
                                       "same directory, so ro must be a writable directory)"));
    snprintf(args, sizeof args, "rm -rf %s", dir);
    sh(args, out, sizeof out);
}

static void test_emit(void)
{
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa3_fwd_bf16_hd128_causal_sm90a\n"));
    CU_ASSERT_EQUAL(run("causal --arch sm_80 --dtype fp16 --head-dim 64 --gqa 8 --varlen --emit key", out, sizeof out),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa2_fwd_fp16_hd64_causal_gqa8_varlen_sm80\n"));
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --paged 16 --gqa 8 --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "paged"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "gqa8"));
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --paged 16 --layout hdb --gqa 8 --decode --kv-dtype fp8e4m3 --emit key",
                        out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_kvfp8e4m3_hd128_bs16_causal_gqa8_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " min_ctas=0 tile_claims=0 tile_scan=0\n"));
    /* --decode-claims: the sibling split launches of HDB fp8 caches take */
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --paged 16 --layout hdb --gqa 8 --decode --kv-dtype fp8e4m3 --decode-claims "
                        "--emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_kvfp8e4m3_hd128_bs16_causal_gqa8_c_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " min_ctas=2 tile_claims=1 tile_scan=0\n"));
    /* a document's forward kernel on sm_90a scans its key tiles; its decode does not */
    CU_ASSERT_EQUAL(run("document --arch sm_90a --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " scan=1 light=0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " tile_scan=1\n"));
    /* a light variant's d256 forward takes 80-key tiles */
    CU_ASSERT_EQUAL(run("softcap --arch sm_90a --head-dim 256 --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " scan=0 light=1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " block_n=80 "));
    CU_ASSERT_EQUAL(run("document --arch sm_90a --paged 16 --decode --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " tile_scan=0\n"));
    CU_ASSERT_NOT_EQUAL(run("none --paged 16 --decode --kv-dtype fp8e4m3 --decode-claims --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "decode_claims applies to paged decode keys of fp8 HDB caches"));
    CU_ASSERT_EQUAL(run("none --paged 16 --layout hdb --kv-dtype fp8e4m3 --decode-claims", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "give --decode too"));
    /* --layout before --paged counts too; without --paged it is refused */
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --layout hdb --paged 16 --gqa 8 --decode --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_hd128_bs16_causal_gqa8_sm90a\n"));
    /* chunked prefill over HDB: the Hopper forward template at 16 bits, d64/d128; elsewhere
     * only the decode template reads HDB */
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --paged 16 --layout hdb --gqa 4 --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa3_fwd_paged_bf16_hd128_bs16_causal_gqa4_sm90a\n"));
    CU_ASSERT_EQUAL(run("causal --arch sm_80 --paged 16 --layout hdb --emit key", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "is read by the paged decode template only"));
    CU_ASSERT_EQUAL(run("causal --layout hdb --emit key", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--layout is a paged cache's layout: give --paged BLOCK_SIZE too"));
    /* --decode without --paged: the decode template over dense K/V (cp.async when packed) */
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --gqa 4 --decode --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_bf16_hd128_causal_gqa4_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "tma=1"));
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --gqa 4 --decode --varlen --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_bf16_hd128_causal_gqa4_varlen_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "tma=0"));
    CU_ASSERT_EQUAL(run("causal --decode --emit cuda", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "#define FA_DEC_DENSE 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "#define FA_PAGED_BLOCK 128\n"));
    CU_ASSERT_NOT_EQUAL(run("none --decode --kv-dtype fp8e4m3 --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "only paged KV caches may have another type"));
    CU_ASSERT_EQUAL(run("none --arch sm_90a --paged 16 --gqa 4 --decode --decode-tile64 --kv-dtype fp8e5m2 --emit key",
                        out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_kvfp8e5m2_hd128_bs16_nhd_none_gqa4_t64_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "block_n=64 warps=2"));
    CU_ASSERT_EQUAL(run("none --paged 16 --decode-tile64 --kv-dtype fp8e5m2", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "give --decode too"));
    CU_ASSERT_NOT_EQUAL(run("none --paged 16 --layout hdb --decode --decode-tile64 --kv-dtype fp8e5m2 --emit key", out,
                            sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "decode_tile64 applies to fp8 decode keys"));
    /* --decode-rows: a CTA sized for GQA x new tokens (within the head dim's cap) */
    CU_ASSERT_EQUAL(run("none --arch sm_90a --paged 16 --gqa 8 --decode --decode-rows 64 --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_hd128_bs16_nhd_none_gqa8_r64_sm90a\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "block_m=32 "));
    CU_ASSERT_EQUAL(run("none --paged 16 --gqa 64 --decode --decode-rows 32 --emit key", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "leave it 0"));
    CU_ASSERT_EQUAL(run("none --paged 16 --decode --decode-rows 40", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--decode-rows needs 16, 32, 48 or 64"));
    CU_ASSERT_EQUAL(run("none --paged 16 --decode-rows 32", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--decode-rows sizes decode CTAs"));
    /* --decode --varlen: packed queries over an fp8 HDB cache */
    CU_ASSERT_EQUAL(run("causal --arch sm_90a --paged 16 --layout hdb --gqa 4 --decode --varlen --kv-dtype fp8e5m2 "
                        "--emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "kernel: fa_decode_paged_bf16_kvfp8e5m2_hd128_bs16_causal_gqa4_varlen_sm90a\n"));
    CU_ASSERT_EQUAL(run("examples/alibi_swa.fa --emit ir", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "variant alibi_swa\nsink 4\n"));
    CU_ASSERT_EQUAL(run("examples/alibi_swa.fa --arch sm_90a --emit cuda", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "extern \"C\" __global__"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "#define FA_SINK_TOKENS 4\n"));
    CU_ASSERT_EQUAL(run("sink_window --dump-after lower --emit key", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "; IR after lower\nvariant sink_window\n"));
}

void fa_suite_cli(void)
{
    static const CU_TestInfo tests[] = {
        {"usage", test_usage}, {"diagnosed", test_diagnosed}, {"emit", test_emit}, {"outputs", test_outputs},
        {"output_paths", test_output_paths}, CU_TEST_INFO_NULL};
    fa_test_add_suite("cli", tests);
}
