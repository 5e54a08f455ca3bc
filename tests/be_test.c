/* be_test.c - helpers shared by the back end's suites. */
#include "be_test.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

fa_program *fa_be_compile(const char *source)
{
    char *diags = NULL;
    fa_program *p = fa_program_compile("t.fa", source, &diags, NULL);
    if (!p)
        fprintf(stderr, "\n%s", diags ? diags : "(no diagnostics)\n");
    free(diags);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

fa_program *fa_be_stdlib(const char *name)
{
    const char *src = fa_stdlib_source(name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    return fa_be_compile(src);
}

void fa_be_golden(const char *rel, const char *actual)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/%s", FA_SOURCE_DIR, rel);
    const char *update = getenv("FA_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", path);
        for (char *s = dir + strlen(FA_SOURCE_DIR) + 1; (s = strchr(s, '/')); s++) {
            *s = '\0';
            mkdir(dir, 0777);
            *s = '/';
        }
        FILE *f = fopen(path, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(actual, f);
        fclose(f);
        return;
    }
    char *expected = fa_read_file(path, SIZE_MAX, NULL);
    if (!expected || strcmp(expected, actual) != 0)
        fprintf(stderr, "\ngolden mismatch: %s (FA_UPDATE_GOLDEN=1 rewrites it)\n--- actual:\n%s", path, actual);
    CU_ASSERT_PTR_NOT_NULL(expected);
    CU_ASSERT(expected && strcmp(expected, actual) == 0);
    free(expected);
}

uint32_t fa_be_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

int fa_be_range(uint64_t *state, int lo, int hi)
{
    return lo + (int)(fa_be_rand(state) % (uint32_t)((int64_t)hi - lo + 1));
}

/* A scalar i32 param: mostly small windows/lengths, sometimes zero, negative or extreme. */
static int32_t fa_be_scalar_int(uint64_t *state)
{
    static const int32_t extreme[] = {0, -1, 1, INT32_MAX, INT32_MIN, 1 << 30, -(1 << 30), 2147483600};
    switch (fa_be_rand(state) % 8) {
    case 0: return extreme[fa_be_rand(state) % 8];
    case 1: return fa_be_range(state, -40, 400);
    default: return fa_be_range(state, 1, 80);
    }
}

void fa_be_case_random(const fa_ir *ir, uint64_t *state, fa_be_case *c)
{
    memset(c, 0, sizeof *c);
    fa_ir_env *e = &c->env;
    int kv_len = fa_be_range(state, 1, 200);
    int q_len = fa_be_rand(state) % 4 == 0 ? fa_be_range(state, 1, 260) : fa_be_range(state, 1, kv_len);
    e->extent[FA_EXTENT_Q_HEADS] = 4;
    e->extent[FA_EXTENT_KV_HEADS] = 2;
    e->extent[FA_EXTENT_BATCH] = 3;
    e->extent[FA_EXTENT_Q_LEN] = q_len;
    e->extent[FA_EXTENT_KV_LEN] = kv_len;
    e->var[FA_VAR_H] = fa_be_range(state, 0, 3);
    e->var[FA_VAR_HK] = e->var[FA_VAR_H] / 2;
    e->var[FA_VAR_B] = fa_be_range(state, 0, 2);
    e->var[FA_VAR_Q_LEN] = q_len;
    e->var[FA_VAR_KV_LEN] = kv_len;
    e->s = (float)fa_be_range(state, -1000, 1000) / 37.0f;
    for (int i = 0; i < ir->nparams; i++) {
        const fa_param_info *p = &ir->params[i];
        if (!p->is_tensor) {
            float f = (float)fa_be_range(state, 1, 5000) / 64.0f;
            uint32_t bits;
            memcpy(&bits, &f, sizeof bits);
            e->vparam[i] = p->type == FA_PARAM_F32 ? bits : (uint32_t)fa_be_scalar_int(state);
            continue;
        }
        long long n = fa_ir_tensor_size(ir, i, e->extent);
        /* int tensors: runs of small ids (documents); float tensors: small values */
        int32_t *t = calloc((size_t)n + 1, sizeof *t);
        int32_t id = 0;
        for (long long j = 0; j < n; j++) {
            if (p->type == FA_PARAM_F32) {
                float f = (float)fa_be_range(state, -300, 300) / 64.0f;
                memcpy(&t[j], &f, sizeof f);
            } else {
                id += fa_be_rand(state) % 6 == 0;
                t[j] = fa_be_rand(state) % 10 == 0 ? fa_be_range(state, -3, 3) : id;
            }
        }
        c->tensors[i] = t;
        e->vparam[i] = (uint64_t)(uintptr_t)t;
    }
}

void fa_be_case_free(fa_be_case *c)
{
    for (int i = 0; i < FA_MAX_PARAMS; i++)
        free(c->tensors[i]);
}

static int fa_be_floordiv(int a, int b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* A random non-empty half-open sub-range of [lo, hi): half the time one whole block of
 * the grid of `block` (clipped), else any span of at most `block`. */
static void fa_be_span(uint64_t *state, int lo, int hi, int block, int *b, int *e)
{
    if (fa_be_rand(state) % 2) {
        int t = fa_be_range(state, fa_be_floordiv(lo, block), fa_be_floordiv(hi - 1, block));
        *b = t * block > lo ? t * block : lo;
        *e = (t + 1) * block < hi ? (t + 1) * block : hi;
    } else {
        *b = fa_be_range(state, lo, hi - 1);
        *e = fa_be_range(state, *b + 1, *b + block < hi ? *b + block : hi);
    }
}

void fa_be_tile_random(const fa_be_case *c, uint64_t *state, int *q0, int *q1, int *k0, int *k1)
{
    int kv_len = c->env.var[FA_VAR_KV_LEN], q_len = c->env.var[FA_VAR_Q_LEN];
    static const int blocks[] = {1, 4, 16, 64};
    fa_be_span(state, kv_len - q_len, kv_len, blocks[fa_be_rand(state) % 4], q0, q1);
    fa_be_span(state, 0, kv_len, blocks[fa_be_rand(state) % 4], k0, k1);
}

bool fa_be_visible(const fa_ir *ir, fa_be_case *c, fa_ir_val *vals, int q, int k)
{
    c->env.var[FA_VAR_Q] = q;
    c->env.var[FA_VAR_K] = k;
    fa_ir_eval(ir, &c->env, vals);
    return vals[ir->root[FA_IR_ROOT_VISIBLE]->id].b;
}

/* ---- tile soundness ---- */

enum { FA_BE_CASES = 60, FA_BE_TILES = 40 };

/* Key tile widths the templates visit keys in (fa_plan's block_n, halved down to 16 on
 * archs with less shared memory). */
static const int fa_be_block_n[] = {16, 32, 64, 128};

/* The tiles fa_tiles_of lists for key range [kb, ke) and the sinks: each within the
 * sequence, none twice, and every key of the range and every sink key in one of them
 * (fa_be_check_tile has checked that visible keys outside the range are sinks). */
static bool fa_be_check_tile_list(const fa_ir *ir, int kv_len, int kb, int ke, int block_n)
{
    int n_tiles = (kv_len + block_n - 1) / block_n, sinks = ir->sink_tokens < kv_len ? ir->sink_tokens : kv_len;
    fa_tiles t = fa_tiles_of(kb, ke, kv_len, block_n, ir->sink_tokens);
    char *listed = calloc((size_t)n_tiles + 1, 1);
    bool ok = t.n >= 0 && t.n <= n_tiles;
    for (int j = 0; ok && j < t.n; j++) {
        int tile = fa_tile_at(t, j);
        ok = tile >= 0 && tile < n_tiles && !listed[tile];
        if (ok)
            listed[tile] = 1;
    }
    for (int k = 0; ok && k < kv_len; k++)
        if ((k < sinks || (k >= kb && k < ke)) && !listed[k / block_n]) {
            fprintf(stderr, "\n%s: key %d (range [%d,%d), %d sinks, kv_len %d) is in tile %d of %d keys, not listed\n",
                    ir->name, k, kb, ke, ir->sink_tokens, kv_len, k / block_n, block_n);
            ok = false;
        }
    free(listed);
    if (!ok)
        CU_FAIL("a listed tile out of the sequence or listed twice, or a key of the range or a sink in no listed tile");
    return ok;
}

/* Checks one tile element by element, the key range of its queries over all keys, and the
 * key tiles listed for that range. */
static void fa_be_check_tile(const fa_ir *ir, const fa_kr *kr, fa_be_case *c, fa_ir_val *vals, int q0, int q1,
                             int k0, int k1, fa_be_stats *st)
{
    int cls = fa_tile_classify(ir, &c->env, q0, q1, k0, k1);
    int seen = 0, total = 0;
    for (int q = q0; q < q1; q++)
        for (int k = k0; k < k1; k++, total++)
            seen += fa_be_visible(ir, c, vals, q, k);
    if ((cls == FA_TILE_EMPTY && seen) || (cls == FA_TILE_FULL && seen != total))
        fprintf(stderr, "\n%s: tile q[%d,%d) k[%d,%d) q_len %d kv_len %d classified %d, %d of %d visible\n", ir->name,
                q0, q1, k0, k1, c->env.var[FA_VAR_Q_LEN], c->env.var[FA_VAR_KV_LEN], cls, seen, total);
    CU_ASSERT_FALSE(cls == FA_TILE_EMPTY && seen);
    CU_ASSERT_FALSE(cls == FA_TILE_FULL && seen != total);
    st->empty += cls == FA_TILE_EMPTY;
    st->full += cls == FA_TILE_FULL;
    st->partial += cls == FA_TILE_PARTIAL;
    /* the scanning classifier: sound too, and it keeps every class the plain one decides */
    int scan = fa_tile_classify_scan(ir, &c->env, q0, q1, k0, k1);
    if ((scan == FA_TILE_EMPTY && seen) || (scan == FA_TILE_FULL && seen != total) ||
        (cls != FA_TILE_PARTIAL && scan != cls))
        fprintf(stderr, "\n%s: tile q[%d,%d) k[%d,%d) classified %d, by scans %d, %d of %d visible\n", ir->name, q0,
                q1, k0, k1, cls, scan, seen, total);
    CU_ASSERT_FALSE(scan == FA_TILE_EMPTY && seen);
    CU_ASSERT_FALSE(scan == FA_TILE_FULL && seen != total);
    CU_ASSERT_FALSE(cls != FA_TILE_PARTIAL && scan != cls);
    st->scan_decided += cls == FA_TILE_PARTIAL && scan != FA_TILE_PARTIAL;

    int kv_len = c->env.var[FA_VAR_KV_LEN], kb = 0, ke = kv_len;
    fa_tile_key_range(ir, kr, &c->env, q0, q1, &kb, &ke);
    CU_ASSERT_TRUE(kb >= 0 && ke <= kv_len);
    st->narrowed += ke - kb < kv_len;
    for (int q = q0; q < q1; q++)
        for (int k = 0; k < kv_len; k++) {
            if ((k >= ir->sink_tokens && (k < kb || k >= ke)) && fa_be_visible(ir, c, vals, q, k)) {
                fprintf(stderr, "\n%s: key %d visible to query %d outside the key range [%d,%d)\n", ir->name, k, q,
                        kb, ke);
                CU_FAIL("visible key outside the key range");
                return;
            }
        }
    for (size_t i = 0; i < sizeof fa_be_block_n / sizeof fa_be_block_n[0]; i++)
        if (!fa_be_check_tile_list(ir, kv_len, kb, ke, fa_be_block_n[i]))
            return;
}

fa_be_stats fa_be_soundness(const fa_program *p, uint64_t seed)
{
    const fa_ir *ir = fa_program_ir(p);
    fa_ir_val *vals = calloc((size_t)ir->n_nodes, sizeof *vals);
    fa_be_stats st = {0};
    uint64_t state = seed;
    for (int i = 0; i < FA_BE_CASES; i++) {
        fa_be_case c;
        fa_be_case_random(ir, &state, &c);
        for (int j = 0; j < FA_BE_TILES; j++) {
            int q0, q1, k0, k1;
            fa_be_tile_random(&c, &state, &q0, &q1, &k0, &k1);
            fa_be_check_tile(ir, fa_program_key_range(p), &c, vals, q0, q1, k0, k1, &st);
        }
        fa_be_case_free(&c);
    }
    free(vals);
    return st;
}
