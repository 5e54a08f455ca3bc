/* be_host.c - the emitted device functions built as host C++ (g++, dlopen) and compared
 * with the CPU evaluator, tile classifier and key range (test_emit.c,
 * test_variants_random.c). */
#include "be_test.h"
#include "testutil.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *fa_embedded_template(const char *name);

/* Writes the device functions of p with host shims, builds them with g++ and loads them. */
bool fa_be_host_build(const fa_program *p, const char *dir, fa_be_host *h)
{
    const char *common = fa_embedded_template("fa_common.cuh");
    const char *ctx = common ? strstr(common, "struct fa_ctx {") : NULL;
    const char *ctx_end = ctx ? strstr(ctx, "};") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx_end);
    fa_buf b = {0};
    fa_buf_printf(&b, "#include <math.h>\n#include <string.h>\n#define __device__\n#define __forceinline__ inline\n"
                      "static inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }\n"
                      "%s\n%s\n%.*s\n",
                  fa_embedded_template("fa_args.h"), fa_embedded_template("fa_tile_rules.h"), (int)(ctx_end + 2 - ctx),
                  ctx);
    fa_emit_device_functions(&b, fa_program_ir(p), fa_program_key_range(p));
    /* the context travels as five ints (b, h, hk, q_len, kv_len), set by field name */
    fa_buf_puts(&b, "\nstatic fa_ctx ctx(const int *v) { fa_ctx c; c.b = v[0]; c.h = v[1]; c.hk = v[2];"
                    " c.q_len = v[3]; c.kv_len = v[4]; return c; }\n"
                    "extern \"C\" {\n"
                    "int h_visible(const fa_args *a, const int *c, int q, int k) { return fa_visible(*a, ctx(c), q, k); }\n"
                    "int h_mask(const fa_args *a, const int *c, int q, int k) { return fa_mask(*a, ctx(c), q, k); }\n"
                    "float h_score(const fa_args *a, const int *c, int q, int k, float s)"
                    " { return fa_score(*a, ctx(c), q, k, s); }\n"
                    "float h_score_pos(const fa_args *a, const int *c, int q, int k, float qf, float kf, float s)"
                    " { return fa_score_pos(*a, ctx(c), q, k, qf, kf, s); }\n"
                    "int h_class(const fa_args *a, const int *c, int q0, int q1, int k0, int k1)"
                    " { return fa_tile_class(*a, ctx(c), q0, q1, k0, k1); }\n"
                    "void h_range(const fa_args *a, const int *c, int q0, int q1, int *kb, int *ke)"
                    " { fa_key_range(*a, ctx(c), q0, q1, kb, ke); }\n");
    if (fa_emit_mask_splits(fa_program_ir(p)))
        fa_buf_puts(&b, "int h_mask_split(const fa_args *a, const int *c, int q, int k) { const fa_ctx x = ctx(c);"
                        " const fa_mask_const m = fa_mask_const_of(*a, x);"
                        " return fa_mask_pair(*a, x, m, fa_mask_row_at(*a, x, m, q), fa_mask_col_at(*a, x, m, k)); }\n");
    if (fa_tile_scans(fa_program_ir(p)))
        fa_buf_puts(&b, "int h_class_scan(const fa_args *a, const int *c, int q0, int q1, int k0, int k1)"
                        " { return fa_tile_class_scan(*a, ctx(c), q0, q1, k0, k1); }\n");
    if (fa_program_learned_sinks(p))
        fa_buf_puts(&b, "float h_sink(const fa_args *a, const int *c) { return fa_sink_logit(*a, ctx(c)); }\n");
    fa_score_lin lin;
    if (fa_score_linear(fa_program_ir(p), &lin))
        fa_buf_puts(&b, "void h_linear(const fa_args *a, const int *c, float *al, float *la, float *mu)"
                        " { fa_score_linear(*a, ctx(c), al, la, mu); }\n");
    fa_buf_puts(&b, "}\n");
    char src[512], so[512], cmd[1400];
    snprintf(src, sizeof src, "%s/%s.cpp", dir, fa_program_name(p));
    snprintf(so, sizeof so, "%s/%s.so", dir, fa_program_name(p));
    FILE *f = fopen(src, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(b.data, f);
    fclose(f);
    fa_buf_free(&b);
    /* no -fwrapv: the emitted code must wrap by itself (the IR's ints wrap) */
    snprintf(cmd, sizeof cmd, "g++ -std=c++17 -O2 -Wall -Werror -Wno-unused-variable -shared -fPIC -o %s %s", so,
             src);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    h->lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h->lib);
    h->visible = (fa_be_visible_fn)dlsym(h->lib, "h_visible");
    h->mask = (fa_be_visible_fn)dlsym(h->lib, "h_mask");
    h->mask_split = (fa_be_visible_fn)dlsym(h->lib, "h_mask_split");
    h->score = (fa_be_score_fn)dlsym(h->lib, "h_score");
    h->score_pos = (fa_be_score_pos_fn)dlsym(h->lib, "h_score_pos");
    h->tile_class = (fa_be_class_fn)dlsym(h->lib, "h_class");
    h->tile_class_scan = (fa_be_class_fn)dlsym(h->lib, "h_class_scan");
    h->key_range = (fa_be_range_fn)dlsym(h->lib, "h_range");
    h->sink_logit = (fa_be_sink_fn)dlsym(h->lib, "h_sink");
    h->linear = (fa_be_linear_fn)dlsym(h->lib, "h_linear");
    return h->visible && h->mask && h->score && h->score_pos && h->tile_class && h->key_range &&
           (h->mask_split != NULL) == fa_emit_mask_splits(fa_program_ir(p)) &&
           (h->tile_class_scan != NULL) == fa_tile_scans(fa_program_ir(p));
}

/* The kernel's view of a test case: its argument block and context (b, h, hk, q_len,
 * kv_len). */
static void fa_be_kernel_args(const fa_be_case *c, fa_args *a, int *ctx)
{
    memset(a, 0, sizeof *a);
    a->q_heads = c->env.extent[FA_EXTENT_Q_HEADS];
    a->kv_heads = c->env.extent[FA_EXTENT_KV_HEADS];
    a->batch = c->env.extent[FA_EXTENT_BATCH];
    a->seqlen_q = c->env.extent[FA_EXTENT_Q_LEN];
    a->seqlen_k = c->env.extent[FA_EXTENT_KV_LEN];
    for (int i = 0; i < FA_MAX_PARAMS; i++)
        a->vparam[i] = c->env.vparam[i];
    static const fa_builtin_var fields[] = {FA_VAR_B, FA_VAR_H, FA_VAR_HK, FA_VAR_Q_LEN, FA_VAR_KV_LEN};
    for (int i = 0; i < 5; i++)
        ctx[i] = c->env.var[fields[i]];
}

static bool fa_be_same_float(float x, float y)
{
    return x == y || (isnan(x) && isnan(y));
}

/* The score rebuilt from fa_score_linear's coefficients is the evaluator's up to the
 * rounding of its terms (the template reassociates them). */
static bool fa_be_linear_close(const fa_be_host *h, const fa_args *a, const int *ctx, int q, int k, float s, float want)
{
    float al, la, mu;
    h->linear(a, ctx, &al, &la, &mu);
    double terms[3] = {(double)al * s, (double)la * ((double)k - q), mu};
    double got = terms[0] + terms[1] + terms[2], scale = fabs(terms[0]) + fabs(terms[1]) + fabs(terms[2]);
    if (!isfinite(want) || scale > 1e37) /* float overflow in one form only: not compared */
        return true;
    return fabs(got - want) <= 1e-6 * scale + 1e-30;
}

/* Random cases: element values, tile classes and key ranges of the host-compiled emitted
 * code equal the CPU evaluator's and classifier's. */
int fa_be_compare(const fa_program *p, const fa_be_host *h, uint64_t seed)
{
    const fa_ir *ir = fa_program_ir(p);
    fa_ir_val *vals = calloc((size_t)ir->n_nodes, sizeof *vals);
    uint64_t state = seed;
    int mismatches = 0;
    for (int i = 0; i < 40; i++) {
        fa_be_case c;
        fa_be_case_random(ir, &state, &c);
        fa_args a;
        int ctx[5];
        fa_be_kernel_args(&c, &a, ctx);
        if (ir->root[FA_IR_ROOT_SINK_LOGIT]) {
            fa_ir_eval(ir, &c.env, vals);
            mismatches += !fa_be_same_float(h->sink_logit(&a, ctx), vals[ir->root[FA_IR_ROOT_SINK_LOGIT]->id].f);
        }
        for (int j = 0; j < 30; j++) {
            int q0, q1, k0, k1;
            fa_be_tile_random(&c, &state, &q0, &q1, &k0, &k1);
            mismatches += h->tile_class(&a, ctx, q0, q1, k0, k1) != fa_tile_classify(ir, &c.env, q0, q1, k0, k1);
            if (h->tile_class_scan)
                mismatches += h->tile_class_scan(&a, ctx, q0, q1, k0, k1) !=
                              fa_tile_classify_scan(ir, &c.env, q0, q1, k0, k1);
            int kb = 0, ke = ctx[4], kb2 = 0, ke2 = ctx[4];
            h->key_range(&a, ctx, q0, q1, &kb, &ke);
            fa_tile_key_range(ir, fa_program_key_range(p), &c.env, q0, q1, &kb2, &ke2);
            mismatches += kb != kb2 || ke != ke2;
            int q = fa_be_range(&state, q0, q1 - 1), k = fa_be_range(&state, k0, k1 - 1);
            c.env.s = (float)fa_be_range(&state, -5000, 5000) / 7.0f;
            bool vis = fa_be_visible(ir, &c, vals, q, k);
            mismatches += h->visible(&a, ctx, q, k) != vis;
            mismatches += h->mask(&a, ctx, q, k) != vals[ir->root[FA_IR_ROOT_MASK]->id].b;
            if (h->mask_split)
                mismatches += h->mask_split(&a, ctx, q, k) != vals[ir->root[FA_IR_ROOT_MASK]->id].b;
            if (ir->root[FA_IR_ROOT_SCORE])
                mismatches += !fa_be_same_float(h->score(&a, ctx, q, k, c.env.s), vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
        }
        /* fa_score_pos agrees wherever the kernels call it: |q|, |k| < 2^23 */
        for (int j = 0; j < 30 && ir->root[FA_IR_ROOT_SCORE]; j++) {
            const int lim = (1 << 23) - 1, big = j % 2 ? lim : 3000;
            int q = fa_be_range(&state, -big, big), k = fa_be_range(&state, 0, big);
            c.env.s = (float)fa_be_range(&state, -5000, 5000) / 7.0f;
            c.env.var[FA_VAR_Q] = q;
            c.env.var[FA_VAR_K] = k;
            fa_ir_eval(ir, &c.env, vals);
            mismatches += !fa_be_same_float(h->score_pos(&a, ctx, q, k, (float)q, (float)k, c.env.s),
                                            vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
            mismatches += h->linear && !fa_be_linear_close(h, &a, ctx, q, k, c.env.s, vals[ir->root[FA_IR_ROOT_SCORE]->id].f);
        }
        fa_be_case_free(&c);
    }
    if (mismatches)
        fprintf(stderr, "\n%s: %d mismatches between emitted code and the CPU evaluator\n", ir->name, mismatches);
    CU_ASSERT_EQUAL(mismatches, 0);
    free(vals);
    return mismatches;
}

void fa_be_host_close(fa_be_host *h)
{
    if (h->lib)
        dlclose(h->lib);
    memset(h, 0, sizeof *h);
}
