/* test_variants_random.c - random well-typed variants (tests/variant_gen.h) through the
 * whole compiler on the CPU:
 *   - each compiles, and its optimised IR means what the generator's own evaluator says
 *     (mask, visibility with sinks, score, learned sink) on random launches and positions,
 *     and the runtime's check of its requires agrees with the evaluator's on random values;
 *   - its tile classes and key ranges are sound (brute force, as test_tile.c);
 *   - for some, the emitted device functions built as host C++ agree with the IR
 *     (as test_emit.c; skipped without g++).
 * A failure prints the variant's source. FA_RANDOM_VARIANTS=N sets the number of variants
 * (default 400), FA_RANDOM_SEED=S the first seed. */
#include "be_test.h"
#include "testutil.h"
#include "variant_gen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { DEFAULT_VARIANTS = 400, CASES = 25, POINTS = 40, HOST_BUILDS = 10 };

static int env_int(const char *name, int fallback)
{
    const char *s = getenv(name);
    return s && *s ? atoi(s) : fallback;
}

/* The compiled program of a generated variant; NULL (with the source and diagnostics
 * printed, and a failed assertion) when the compiler refuses a well-typed variant. */
static fa_program *compile_generated(const vg_variant *v)
{
    char *diags = NULL;
    fa_program *p = fa_program_compile("random.fa", v->source, &diags, NULL);
    if (!p)
        fprintf(stderr, "\nrefused:\n%s%s", v->source, diags ? diags : "(no diagnostics)\n");
    CU_ASSERT_PTR_NOT_NULL(p);
    free(diags);
    return p;
}

/* Equal floats: same value, both NaN, or within f32 rounding of one another (constant
 * folding rounds some results once from double). */
static bool same_float(float got, float want)
{
    if (got == want || (isnan(got) && isnan(want)))
        return true;
    if (!isfinite(got) || !isfinite(want))
        return fabsf(got) > 1e37f || fabsf(want) > 1e37f; /* overflow at the edge, one way only */
    return fabs((double)got - want) <= 1e-5 * fmax(fabs((double)got), fabs((double)want)) + 1e-30;
}

/* Points compared, and points left out because a float comparison was too close to call. */
static long points_checked, points_doubtful;

/* Compares the IR's roots with the generator's evaluator at random points; returns the
 * number of disagreements (the first few are printed). */
static int compare_semantics(const vg_variant *v, const fa_program *p, uint64_t seed)
{
    const fa_ir *ir = fa_program_ir(p);
    fa_ir_val *vals = calloc((size_t)ir->n_nodes, sizeof *vals);
    uint64_t state = seed;
    int bad = 0;
    for (int i = 0; i < CASES; i++) {
        fa_be_case c;
        fa_be_case_random(ir, &state, &c);
        for (int j = 0; j < POINTS; j++) {
            int q0, q1, k0, k1;
            fa_be_tile_random(&c, &state, &q0, &q1, &k0, &k1);
            c.env.var[FA_VAR_Q] = fa_be_range(&state, q0, q1 - 1);
            c.env.var[FA_VAR_K] = fa_be_range(&state, k0, k1 - 1);
            c.env.s = (float)fa_be_range(&state, -5000, 5000) / 37.0f;
            fa_ir_eval(ir, &c.env, vals);
            bool fr_mask = false, fr_vis = false, fr_score = false, fr_sink = false;
            bool mask = vg_eval_mask(v, &c.env, &fr_mask).b, vis = vg_eval_visible(v, &c.env, &fr_vis);
            float score = vg_eval_score(v, &c.env, &fr_score);
            const fa_ir_node *rs = ir->root[FA_IR_ROOT_SCORE], *rl = ir->root[FA_IR_ROOT_SINK_LOGIT];
            float ir_score = rs ? vals[rs->id].f : c.env.s;
            int wrong = 0;
            points_checked++;
            points_doubtful += fr_mask || fr_vis || fr_score;
            wrong += !fr_mask && vals[ir->root[FA_IR_ROOT_MASK]->id].b != mask;
            wrong += !fr_vis && vals[ir->root[FA_IR_ROOT_VISIBLE]->id].b != vis;
            wrong += !fr_score && !same_float(ir_score, score);
            wrong += (rl != NULL) != (v->sink_logit != NULL);
            if (rl && v->sink_logit) {
                float sink = vg_eval_sink_logit(v, &c.env, &fr_sink);
                wrong += !fr_sink && !same_float(vals[rl->id].f, sink);
            }
            if (wrong && bad++ < 3)
                fprintf(stderr, "\n%sat q %d k %d h %d b %d q_len %d kv_len %d s %.9g: IR mask %d visible %d score %.9g, "
                        "evaluator mask %d visible %d score %.9g\n", v->source, c.env.var[FA_VAR_Q],
                        c.env.var[FA_VAR_K], c.env.var[FA_VAR_H], c.env.var[FA_VAR_B], c.env.var[FA_VAR_Q_LEN],
                        c.env.var[FA_VAR_KV_LEN], (double)c.env.s, vals[ir->root[FA_IR_ROOT_MASK]->id].b,
                        vals[ir->root[FA_IR_ROOT_VISIBLE]->id].b, (double)ir_score, mask, vis, (double)score);
        }
        fa_be_case_free(&c);
    }
    free(vals);
    return bad;
}

/* Requires checked and requires failed (evaluator's word), and draws too close to call. */
static long requires_checked, requires_failed, requires_doubtful;

/* A scalar param value's slot bits: edges of the int and float ranges, and small values. */
static uint64_t random_scalar(bool is_f32, uint64_t *state)
{
    static const int32_t ints[] = {0, 1, -1, 2, 7, 64, -50, 500, INT32_MAX, INT32_MIN};
    static const float floats[] = {0.0f, 0.5f, -0.5f, 1.5f, 2.5f, -1.0f, 3.0f, 1e-2f, 1e30f, -1e30f};
    int pick = fa_be_range(state, 0, 12);
    if (!is_f32)
        return (uint32_t)(pick < 10 ? ints[pick] : fa_be_range(state, -1000, 1000));
    float f = pick < 10 ? floats[pick] : (float)fa_be_range(state, -4000, 4000) / 16.0f;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return bits;
}

/* The runtime's check of the requires (fa_program_check_requires, as a launch calls it)
 * against the evaluator's, under random scalar values; returns the disagreements. */
static int compare_requires(const vg_variant *v, const fa_program *p, uint64_t seed)
{
    uint64_t state = seed;
    int bad = 0;
    for (int i = 0; i < CASES && v->nrequires; i++) {
        fa_ir_env env = {0};
        for (int j = 0; j < v->nparams; j++)
            if (!v->params[j].tensor)
                env.vparam[j] = random_scalar(v->params[j].is_f32, &state);
        unsigned long long slots[FA_MAX_PARAMS];
        for (int j = 0; j < FA_MAX_PARAMS; j++)
            slots[j] = env.vparam[j];
        char msg[512] = "";
        bool fragile = false, holds = fa_program_check_requires(p, slots, msg, sizeof msg);
        int failed = vg_eval_requires(v, &env, &fragile);
        requires_checked++;
        requires_doubtful += fragile;
        requires_failed += failed >= 0;
        if (!fragile && holds != (failed < 0) && bad++ < 3)
            fprintf(stderr, "\n%srequires hold: runtime %d, evaluator %d (require %d fails) %s\n", v->source, holds,
                    failed < 0, failed, msg);
    }
    return bad;
}

/* Every variant: compiles, means what it says, and its tile analysis is sound. */
static void test_semantics_and_tiles(void)
{
    int n = env_int("FA_RANDOM_VARIANTS", DEFAULT_VARIANTS), first = env_int("FA_RANDOM_SEED", 1);
    int failed = 0, compiled = 0;
    long empty = 0, full = 0, scan_decided = 0;
    for (int i = first; i < first + n; i++) {
        uint64_t state = 0x5eed0000ull + (uint64_t)i;
        vg_variant v;
        vg_generate(&v, &state, i % 4 == 0 ? VG_TAME : VG_WILD, i);
        fa_program *p = compile_generated(&v);
        if (getenv("FA_RANDOM_SHOW"))
            fprintf(stderr, "%s", v.source);
        if (p) {
            compiled++;
            int bad = compare_semantics(&v, p, state) + compare_requires(&v, p, state + 2);
            CU_ASSERT_EQUAL(bad, 0);
            unsigned before = CU_get_number_of_failures();
            fa_be_stats st = fa_be_soundness(p, state + 1);
            empty += st.empty;
            full += st.full;
            scan_decided += st.scan_decided;
            if (bad || CU_get_number_of_failures() != before) {
                if (!bad)
                    fprintf(stderr, "(tile analysis of)\n%s", v.source);
                failed++;
            }
            fa_program_free(p);
        }
        vg_free(&v);
    }
    /* the generator draws masks the analysis can decide, not only PARTIAL tiles (some only
     * by scanning tensors), and few points are too close to call */
    CU_ASSERT_TRUE(empty > 0 && full > 0);
    CU_ASSERT_TRUE(n < 100 || scan_decided > 0);
    CU_ASSERT_TRUE(points_doubtful * 20 < points_checked);
    /* requires are drawn, and launches both meet and fail them */
    CU_ASSERT_TRUE(n < 100 || (requires_failed > 0 && requires_failed < requires_checked));
    if (getenv("FA_RANDOM_SHOW"))
        fprintf(stderr, "%ld points, %ld doubtful; tiles %ld empty, %ld full, %ld decided by scans; requires %ld "
                "checked, %ld failed, %ld doubtful\n", points_checked, points_doubtful, empty, full, scan_decided,
                requires_checked, requires_failed, requires_doubtful);
    if (failed)
        fprintf(stderr, "\n%d of %d random variants disagree\n", failed, compiled);
}

/* Some variants' emitted device functions, built as host C++, agree with the IR. */
static void test_host_equivalence(void)
{
    if (system("g++ --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "(skipped: no g++) ");
        return;
    }
    char dir[] = "/tmp/fadsl_random_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    int first = env_int("FA_RANDOM_SEED", 1);
    for (int i = first; i < first + HOST_BUILDS; i++) {
        uint64_t state = 0xb0570000ull + (uint64_t)i;
        vg_variant v;
        vg_generate(&v, &state, i % 2 ? VG_TAME : VG_WILD, i);
        fa_program *p = compile_generated(&v);
        fa_be_host h = {0};
        if (p && fa_be_host_build(p, dir, &h) && fa_be_compare(p, &h, state))
            fprintf(stderr, "%s", v.source);
        fa_be_host_close(&h);
        fa_program_free(p);
        vg_free(&v);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

void fa_suite_variants_random(void)
{
    static const CU_TestInfo tests[] = {
        {"semantics_and_tiles", test_semantics_and_tiles},
        {"host_equivalence", test_host_equivalence},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("variants_random", tests);
}
