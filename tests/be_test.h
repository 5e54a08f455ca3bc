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

#endif
