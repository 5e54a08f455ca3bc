/* variant_gen.h - random well-typed variants that carry their own meaning.
 *
 * vg_generate writes the DSL source of a random variant (params, lets, mask, score, sink,
 * sink_logit, require) and keeps its expression trees; vg_eval evaluates them as docs/LANGUAGE.md
 * defines the language (int32 wrapping, total division, promotion to float, f32 maths),
 * without the compiler: the tests compare the compiler's IR, emitted code and kernels
 * with it.
 *
 * VG_WILD draws any well-typed expression (extreme constants, float comparisons in masks,
 * NaN and inf from log and exp): for comparisons on the CPU, in f32 on both sides.
 * VG_TAME keeps what a GPU run can compare with a float64 reference: masks over ints only,
 * scores of the form "s scaled, capped or selected, plus a bounded bias", learned sinks
 * that depend on the head only, tensor indices in range (vg_tame_params gives the values).
 */
#ifndef FA_VARIANT_GEN_H
#define FA_VARIANT_GEN_H

#include "ir.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { VG_WILD, VG_TAME } vg_mode;

enum { VG_MAX_LETS = 6, VG_MAX_REQUIRES = 3, VG_MAX_NODES = 4096 };

typedef struct vg_node vg_node;

typedef struct vg_param {
    char name[8];
    bool tensor, is_f32;
    int ndims;
    fa_extent dim[4];   /* FA_EXTENT_CONST: const_dim[d] */
    int const_dim[4];
    bool has_default;        /* scalars: written with a default, of these bits */
    uint32_t default_bits;
} vg_param;

typedef struct vg_variant {
    char *source;             /* malloc'd DSL text */
    int nparams;
    vg_param params[FA_MAX_PARAMS];
    int nlets;
    char let_name[VG_MAX_LETS][8];
    vg_node *let_expr[VG_MAX_LETS];
    vg_node *mask, *score, *sink_logit;   /* NULL: absent */
    int sink;                             /* the sink count (0: no sink declaration) */
    int nrequires;                        /* VG_WILD only; each holds for the defaults */
    vg_node *require[VG_MAX_REQUIRES];
    vg_node *pool;
    int npool;
} vg_variant;

/* A random variant from *state (named "g<serial>"). */
void vg_generate(vg_variant *v, uint64_t *state, vg_mode mode, int serial);
void vg_free(vg_variant *v);

/* Evaluation under env (vars q, k, h, hk, b, q_len, kv_len, s; extents; vparam: scalar
 * bits, or a host pointer to a tensor's row-major elements). *fragile is set when a
 * float comparison on the way was close enough (or NaN / inf) that f32 rounding done
 * another way, such as constant folding in double, could flip it. */
fa_ir_val vg_eval_mask(const vg_variant *v, const fa_ir_env *env, bool *fragile);
bool vg_eval_visible(const vg_variant *v, const fa_ir_env *env, bool *fragile);
float vg_eval_score(const vg_variant *v, const fa_ir_env *env, bool *fragile);
float vg_eval_sink_logit(const vg_variant *v, const fa_ir_env *env, bool *fragile);

/* The index of the first require that env's param values fail, -1 when all hold; *fragile
 * as above (for the requires evaluated). */
int vg_eval_requires(const vg_variant *v, const fa_ir_env *env, bool *fragile);

/* Elements of tensor param `slot` under the extents. */
long long vg_tensor_size(const vg_param *p, const int32_t *extent);

/* Values for a VG_TAME variant's params: scalar bits in vparam (i32 in [1, 300], f32 of
 * magnitude in [0.5, 3]); tensors filled in host memory (int ids, floats in [-1, 1]),
 * malloc'd into host[slot], their pointers in vparam. */
void vg_tame_params(const vg_variant *v, uint64_t *state, const int32_t *extent, uint64_t *vparam, void **host);

#endif
