/* key.c - dispatch keys: enum spellings, defaults, kernel names, NVRTC options. */
#include "fa.h"

#include <stdio.h>
#include <string.h>

static const char *const arch_names[] = {
#define X(id, name, num) name,
    FA_ARCH_LIST(X)
#undef X
};
static const int arch_numbers[] = {
#define X(id, name, num) num,
    FA_ARCH_LIST(X)
#undef X
};
static const char *const dtype_names[] = {
#define X(id, name, size) name,
    FA_DTYPE_LIST(X)
#undef X
};
static const int dtype_sizes[] = {
#define X(id, name, size) size,
    FA_DTYPE_LIST(X)
#undef X
};

const char *fa_arch_name(fa_arch a)
{
    return (unsigned)a < FA_ARCH__COUNT ? arch_names[a] : "?";
}

int fa_arch_number(fa_arch a)
{
    return (unsigned)a < FA_ARCH__COUNT ? arch_numbers[a] : 0;
}

const char *fa_dtype_name(fa_dtype t)
{
    return (unsigned)t < FA_DTYPE__COUNT ? dtype_names[t] : "?";
}

int fa_dtype_size(fa_dtype t)
{
    return (unsigned)t < FA_DTYPE__COUNT ? dtype_sizes[t] : 0;
}

bool fa_arch_parse(const char *s, fa_arch *out)
{
    for (int i = 0; i < FA_ARCH__COUNT; i++)
        if (strcmp(s, arch_names[i]) == 0) {
            *out = (fa_arch)i;
            return true;
        }
    return false;
}

bool fa_dtype_parse(const char *s, fa_dtype *out)
{
    for (int i = 0; i < FA_DTYPE__COUNT; i++)
        if (strcmp(s, dtype_names[i]) == 0) {
            *out = (fa_dtype)i;
            return true;
        }
    return false;
}

bool fa_paged_block_size_valid(int block_size)
{
    int b = block_size;
    return b == 8 || b == 16 || b == 32 || b == 64 || b == 128;
}

void fa_key_init(fa_key *key)
{
    memset(key, 0, sizeof *key);
    key->arch = FA_ARCH_SM80;
    key->dtype = FA_DTYPE_BF16;
    key->kv_dtype = FA_DTYPE_BF16;
    key->head_dim = 128;
    key->gqa_ratio = 1;
    key->paged_layout = FA_PAGED_HDB;
}

/* Appends `s` to the name keeping only [a-z0-9_] (others become '_'). */
static void put_ident(fa_buf *b, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        fa_buf_printf(b, "%c", (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
    }
}

/* {family}[_paged]_{dtype}[_kv{kvdtype}]_hd{D}[_bs{B}[_nhd]]_{variant}[_{hash}][_gqa{G}][_r{R}][_varlen][_t64]_{arch}
 * family: the template the plan picks (fa2_fwd, fa3_fwd, or fa_decode for paged decode keys,
 * which always carry _gqa{G}).
 * The standard library's variants are named by their name alone; a user's variant adds
 * 8 hex digits of its IR hash, so two different variants never share a kernel name. */
int fa_key_name(const fa_key *key, char *buf, size_t size)
{
    fa_buf b = {0};
    fa_plan plan;
    char err[8];
    bool hopper = fa_plan_key(key, &plan, err, sizeof err) == FA_OK && plan.tmpl == FA_TEMPLATE_FA3_FWD;
    fa_buf_puts(&b, key->decode ? "fa_decode" : hopper ? "fa3_fwd" : "fa2_fwd");
    if (key->paged_block_size)
        fa_buf_puts(&b, "_paged");
    fa_buf_printf(&b, "_%s", fa_dtype_name(key->dtype));
    if (key->kv_dtype != key->dtype)
        fa_buf_printf(&b, "_kv%s", fa_dtype_name(key->kv_dtype));
    fa_buf_printf(&b, "_hd%d", key->head_dim);
    if (key->paged_block_size)
        fa_buf_printf(&b, "_bs%d%s", key->paged_block_size,
                      key->paged_layout == FA_PAGED_NHD ? "_nhd" : "");
    fa_buf_puts(&b, "_");
    put_ident(&b, key->variant[0] ? key->variant : "none");
    if (!key->stdlib)
        fa_buf_printf(&b, "_%08x", (unsigned)(key->variant_hash >> 32));
    if (key->gqa_ratio > 1 || key->decode)
        fa_buf_printf(&b, "_gqa%d", key->gqa_ratio);
    if (key->decode_rows)
        fa_buf_printf(&b, "_r%d", key->decode_rows);
    if (key->varlen)
        fa_buf_puts(&b, "_varlen");
    if (key->decode_tile64)
        fa_buf_puts(&b, "_t64");
    if (key->decode_claims)
        fa_buf_puts(&b, "_c");
    fa_buf_printf(&b, "_sm%d%s", fa_arch_number(key->arch), key->arch == FA_ARCH_SM90A ? "a" : "");
    int n = snprintf(buf, size, "%s", b.data);
    fa_buf_free(&b);
    return n;
}

int fa_key_describe(const fa_key *key, char *buf, size_t size)
{
    return snprintf(buf, size,
                    "arch=%s dtype=%s kv_dtype=%s head_dim=%d gqa=%d paged=%d layout=%s varlen=%d "
                    "variant=%s hash=%016llx stdlib=%d causal=%d window=%d alibi=%d softcap=%d "
                    "sinks=%d learned_sinks=%d decode=%d tile64=%d rows=%d claims=%d plain=%d scan=%d light=%d",
                    fa_arch_name(key->arch), fa_dtype_name(key->dtype), fa_dtype_name(key->kv_dtype),
                    key->head_dim, key->gqa_ratio, key->paged_block_size,
                    !key->paged_block_size ? "-" : key->paged_layout == FA_PAGED_NHD ? "nhd" : "hdb", key->varlen,
                    key->variant[0] ? key->variant : "none", (unsigned long long)key->variant_hash,
                    key->stdlib, key->causal, key->sliding_window, key->alibi, key->softcap,
                    key->sink_tokens, key->learned_sinks, key->decode, key->decode_tile64, key->decode_rows,
                    key->decode_claims, key->plain_score, key->tile_scan, key->light);
}

/* One option list per arch. Fast math is safe here: the kernels use exp2 with ftz and
 * never divide by values that could be denormal. ptxas writes spill warnings into the NVRTC
 * log: the runtime logs them after a cubin compiles (fart_nvrtc_spills counts them). */
#define FA_COMMON_OPTIONS "--std=c++17", "--use_fast_math", "--ptxas-options=--warn-on-spills"
static const char *const options[FA_ARCH__COUNT][5] = {
#define X(id, name, num) {"--gpu-architecture=" name, FA_COMMON_OPTIONS, NULL},
    FA_ARCH_LIST(X)
#undef X
};

const char *const *fa_nvrtc_options(const fa_key *key, int *count)
{
    const char *const *o = options[(unsigned)key->arch < FA_ARCH__COUNT ? key->arch : 0];
    if (count)
        for (*count = 0; o[*count]; (*count)++) {
        }
    return o;
}
