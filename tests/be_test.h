/* be_test.h - helpers shared by the back end's suites (test_ir.c, test_tile.c,
 * test_emit.c): compiling, golden files, random environments and tiles. */
#ifndef FA_BE_TEST_H
#define FA_BE_TEST_H

#include "ir.h"

/* Compiles `source` (asserting success; diagnostics are printed on failure). */
fa_program *fa_be_compile(const char *source);
/* Compiles the standard-library variant `name`. */
fa_program *fa_be_stdlib(const char *name);

/* Compares `actual` with tests/golden/<rel> (FA_UPDATE_GOLDEN=1 rewrites it instead). */
void fa_be_golden(const char *rel, const char *actual);

/* A random launch for a program: extents, one (sequence, head), scalar params (often
 * extreme), tensors with small ints or floats; q_len is sometimes above kv_len. */
typedef struct fa_be_case {
    fa_ir_env env;
    void *tensors[FA_MAX_PARAMS];
} fa_be_case;

uint32_t fa_be_rand(uint64_t *state);
/* Uniform in [lo, hi]. */
int fa_be_range(uint64_t *state, int lo, int hi);
void fa_be_case_random(const fa_ir *ir, uint64_t *state, fa_be_case *c);
void fa_be_case_free(fa_be_case *c);
/* A non-empty tile within the sequence: queries in [kv_len - q_len, kv_len), keys in
 * [0, kv_len); sometimes aligned to blocks, sometimes arbitrary. */
void fa_be_tile_random(const fa_be_case *c, uint64_t *state, int *q0, int *q1, int *k0, int *k1);

/* visible(q, k) under c (vals: scratch of ir->n_nodes entries). */
bool fa_be_visible(const fa_ir *ir, fa_be_case *c, fa_ir_val *vals, int q, int k);

/* Tile analysis soundness on random cases and tiles (from seed): no visible element in a
 * tile classified EMPTY, none hidden in a FULL one (by either classifier, the scanning one
 * keeping every class the plain one decides), none outside the key range (sinks apart),
 * and none outside the key tiles fa_tiles_of lists for the range and the sinks.
 * scan_decided: PARTIAL tiles the scanning classifier found EMPTY or FULL. */
typedef struct fa_be_stats {
    long empty, full, partial, narrowed, scan_decided;
} fa_be_stats;
fa_be_stats fa_be_soundness(const fa_program *p, uint64_t seed);

/* ---- be_host.c: the emitted device functions built as host C++ ---- */

typedef int (*fa_be_visible_fn)(const fa_args *a, const int *c, int q, int k);
typedef float (*fa_be_score_fn)(const fa_args *a, const int *c, int q, int k, float s);
typedef float (*fa_be_score_pos_fn)(const fa_args *a, const int *c, int q, int k, float qf, float kf, float s);
typedef int (*fa_be_class_fn)(const fa_args *a, const int *c, int q0, int q1, int k0, int k1);
typedef void (*fa_be_range_fn)(const fa_args *a, const int *c, int q0, int q1, int *kb, int *ke);
typedef float (*fa_be_sink_fn)(const fa_args *a, const int *c);
typedef void (*fa_be_linear_fn)(const fa_args *a, const int *c, float *alpha, float *lambda, float *mu);

typedef struct fa_be_host {
    void *lib;
    fa_be_visible_fn visible;
    fa_be_visible_fn mask;
    fa_be_visible_fn mask_split; /* fa_mask_pair of fa_mask_const_of, fa_mask_row_at, fa_mask_col_at;
                                  * NULL unless the mask splits (fa_emit_mask_splits) */
    fa_be_score_fn score;
    fa_be_score_pos_fn score_pos;
    fa_be_class_fn tile_class;
    fa_be_class_fn tile_class_scan; /* NULL unless the variant scans (fa_tile_scans) */
    fa_be_range_fn key_range;
    fa_be_sink_fn sink_logit;
    fa_be_linear_fn linear; /* NULL unless the score is alpha * s + lambda * (k - q) + mu */
} fa_be_host;

/* Writes the device functions of p with host shims into dir, builds them with g++ and
 * loads them; false when a function is missing. */
bool fa_be_host_build(const fa_program *p, const char *dir, fa_be_host *h);
/* Random cases (from seed): element values, tile classes and key ranges of the host build
 * equal the CPU evaluator's and classifier's; asserts, and returns the mismatches. */
int fa_be_compare(const fa_program *p, const fa_be_host *h, uint64_t seed);
void fa_be_host_close(fa_be_host *h);

#endif
