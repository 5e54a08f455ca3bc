/* test_diagnostics.c - bad programs and the exact diagnostics they get: the message,
 * the source line, the caret under the span and the hint. These texts are the contract
 * of the front end (lexer, parser and sema); change them on purpose only. */
#include "fa.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Runs the front end as the compiler does (sema only on a clean parse); returns the
 * rendered diagnostics (malloc'd) and the error count. */
static char *fa_test_diagnose(const char *src, int *n_errors)
{
    fa_diags d;
    fa_diag_init(&d, "v.fa", src);
    fa_unit u = {.arena = fa_arena_new(), .diags = &d};
    if (fa_parse(&u) == 0)
        fa_sema_check(&u);
    *n_errors = d.n_errors;
    fa_arena_free(u.arena);
    return fa_buf_take(&d.text);
}

/* The whole compile, as fa-dslc runs it: a require is checked against the params'
 * defaults after sema. */
static char *fa_test_compile_diagnose(const char *src, int *n_errors)
{
    char *text = NULL;
    fa_program_free(fa_program_compile("v.fa", src, &text, n_errors));
    return text ? text : fa_xcalloc(1, 1);
}

#define REQUIRE_HINT                                                                                        \
    "require is checked on the host before each launch: it may use scalar params, literals, functions and " \
    "lets of those"

typedef struct fa_diag_case {
    const char *group, *name, *source, *expected;
} fa_diag_case;

static const fa_diag_case fa_diag_cases[] = {
    {"lexer", "stray_char",
     "variant v {\n"
     "    mask = k <= q; $\n"
     "}\n",
     "v.fa:2:20: error: unexpected character '$'\n"
     "    2 |     mask = k <= q; $\n"
     "      |                    ^\n"
     "      = hint: delete it; comments start with '#'\n"},
    {"lexer", "non_ascii",
     "variant v {\n"
     "    mask = k \342\211\244 q;\n"
     "}\n",
     "v.fa:2:14: error: non-ASCII character in source\n"
     "    2 |     mask = k \342\211\244 q;\n"
     "      |              ^\n"
     "      = hint: only comments may hold non-ASCII text\n"
     "v.fa:2:18: error: unexpected identifier 'q', expecting an operator or ';'\n"
     "    2 |     mask = k \342\211\244 q;\n"
     "      |                ^\n"},
    {"lexer", "c_comment",
     "variant v {\n"
     "    // causal\n"
     "    mask = k <= q;\n"
     "}\n",
     "v.fa:2:5: error: C-style comment\n"
     "    2 |     // causal\n"
     "      |     ^~~~~~~~~\n"
     "      = hint: comments start with '#' and run to the end of the line\n"},
    {"lexer", "unterminated_comment",
     "variant v {\n"
     "    mask = k <= q; /* causal\n"
     "}\n",
     "v.fa:2:20: error: unterminated C-style comment\n"
     "    2 |     mask = k <= q; /* causal\n"
     "      |                    ^~~~~~~~~\n"
     "      = hint: comments start with '#' and run to the end of the line\n"
     "v.fa:2:19: error: unexpected end of file, expecting a declaration or '}'\n"
     "    2 |     mask = k <= q; /* causal\n"
     "      |                   ^\n"},
    {"lexer", "int_overflow",
     "variant v {\n"
     "    sink 99999999999;\n"
     "}\n",
     "v.fa:2:10: error: integer literal '99999999999' is too large\n"
     "    2 |     sink 99999999999;\n"
     "      |          ^~~~~~~~~~~\n"
     "      = hint: ints are 32-bit: literals run from -2147483648 to 2147483647\n"},
    {"lexer", "int_min_magnitude_alone",   /* 2147483648 is only a literal after a minus */
     "variant v {\n"
     "    mask = k - q >= -2147483648 && k <= q + 2147483648;\n"
     "}\n",
     "v.fa:2:45: error: integer literal '2147483648' is too large\n"
     "    2 |     mask = k - q >= -2147483648 && k <= q + 2147483648;\n"
     "      |                                             ^~~~~~~~~~\n"
     "      = hint: ints are 32-bit: literals run from -2147483648 to 2147483647\n"},
    {"lexer", "malformed_number",
     "variant v {\n"
     "    let x = 12abc;\n"
     "    let y = 1e;\n"
     "}\n",
     "v.fa:2:13: error: malformed number '12abc'\n"
     "    2 |     let x = 12abc;\n"
     "      |             ^~~~~\n"
     "      = hint: numbers look like 42, 1.5, .5 or 1e-3\n"
     "v.fa:3:13: error: malformed number '1e'\n"
     "    3 |     let y = 1e;\n"
     "      |             ^~\n"
     "      = hint: numbers look like 42, 1.5, .5 or 1e-3\n"},
    {"lexer", "float_out_of_range",
     "variant v {\n"
     "    score = s * 1e39;\n"
     "}\n",
     "v.fa:2:17: error: float literal '1e39' is out of range\n"
     "    2 |     score = s * 1e39;\n"
     "      |                 ^~~~\n"
     "      = hint: floats are 32-bit: the largest is about 3.4e38\n"},
    {"lexer", "float_max_spelling", /* 3.4028235e38 rounds to FLT_MAX; 3.4028236e38 past it */
     "variant v {\n"
     "    param m : f32 = 3.4028235e38;\n"
     "    score = s * 3.4028236e38;\n"
     "}\n",
     "v.fa:3:17: error: float literal '3.4028236e38' is out of range\n"
     "    3 |     score = s * 3.4028236e38;\n"
     "      |                 ^~~~~~~~~~~~\n"
     "      = hint: floats are 32-bit: the largest is about 3.4e38\n"},
    {"lexer", "tab_caret",
     "variant v {\n"
     "\tmask =\tq - k < windw;\n"
     "}\n",
     "v.fa:2:17: error: unknown name 'windw'\n"
     "    2 |         mask =  q - k < windw;\n"
     "      |                         ^~~~~\n"
     "      = hint: declare it with 'param' or 'let' before using it\n"},
    {"lexer", "crlf",
     "variant v {\r\n"
     "    mask = k <= qq;\r\n"
     "}\r\n",
     "v.fa:2:17: error: unknown name 'qq'\n"
     "    2 |     mask = k <= qq;\n"
     "      |                 ^~\n"
     "      = hint: declare it with 'param' or 'let' before using it\n"},
    {"syntax", "missing_semicolon",
     "variant v {\n"
     "    param window : i32 = 4096\n"
     "    mask = q - k < window;\n"
     "}\n",
     "v.fa:2:30: error: missing ';' at the end of this declaration\n"
     "    2 |     param window : i32 = 4096\n"
     "      |                              ^\n"
     "      = hint: every declaration ends with ';'\n"},
    {"syntax", "not_a_declaration",
     "variant v {\n"
     "    window = 3;\n"
     "}\n",
     "v.fa:2:5: error: unexpected identifier 'window', expecting a declaration or '}'\n"
     "    2 |     window = 3;\n"
     "      |     ^~~~~~\n"
     "      = hint: a declaration starts with param, let, mask, score, sink, sink_logit or require\n"},
    {"syntax", "keyword_as_name",
     "variant v {\n"
     "    let mask = 1;\n"
     "}\n",
     "v.fa:2:9: error: unexpected 'mask', expecting identifier\n"
     "    2 |     let mask = 1;\n"
     "      |         ^~~~\n"
     "      = hint: 'mask' is a keyword; it cannot be used as a name\n"},
    {"syntax", "missing_operand",
     "variant v {\n"
     "    let x = 3 +;\n"
     "}\n",
     "v.fa:2:16: error: unexpected ';', expecting an expression\n"
     "    2 |     let x = 3 +;\n"
     "      |                ^\n"},
    {"syntax", "missing_brace",
     "variant v {\n"
     "    mask = k <= q;\n",
     "v.fa:2:19: error: unexpected end of file, expecting a declaration or '}'\n"
     "    2 |     mask = k <= q;\n"
     "      |                   ^\n"},
    {"syntax", "assign_for_compare",
     "variant v {\n"
     "    mask = q = k;\n"
     "}\n",
     "v.fa:2:14: error: unexpected '=', expecting an operator or ';'\n"
     "    2 |     mask = q = k;\n"
     "      |              ^\n"
     "      = hint: compare with '=='; '=' only defines\n"},
    {"syntax", "variant_without_name",
     "variant {\n"
     "    mask = k <= q;\n"
     "}\n",
     "v.fa:1:9: error: unexpected '{', expecting identifier\n"
     "    1 | variant {\n"
     "      |         ^\n"},
    {"syntax", "top_level_junk",
     "mask = k <= q;\n",
     "v.fa:1:1: error: unexpected 'mask', expecting end of file or 'variant'\n"
     "    1 | mask = k <= q;\n"
     "      | ^~~~\n"},
    {"syntax", "too_many_dims",
     "variant v {\n"
     "    param t : f32[batch, q_heads, q_len, kv_len, 2];\n"
     "}\n",
     "v.fa:2:50: error: too many dimensions: a tensor has at most 4\n"
     "    2 |     param t : f32[batch, q_heads, q_len, kv_len, 2];\n"
     "      |                                                  ^\n"
     "      = hint: flatten the extra dimensions into one\n"},
    {"syntax", "param_default_expr",
     "variant v {\n"
     "    param w : i32 = window;\n"
     "}\n",
     "v.fa:2:21: error: unexpected identifier 'window', expecting an expression\n"
     "    2 |     param w : i32 = window;\n"
     "      |                     ^~~~~~\n"},
    {"syntax", "syntax_recovery",
     "variant v {\n"
     "    param window : i32 = 4096\n"
     "    mask = q - k < window\n"
     "    let x = 3 +;\n"
     "    let mask = 2;\n"
     "    foo = 3;\n"
     "    score = s;\n"
     "}\n",
     "v.fa:2:30: error: missing ';' at the end of this declaration\n"
     "    2 |     param window : i32 = 4096\n"
     "      |                              ^\n"
     "      = hint: every declaration ends with ';'\n"
     "v.fa:3:26: error: missing ';' at the end of this declaration\n"
     "    3 |     mask = q - k < window\n"
     "      |                          ^\n"
     "      = hint: every declaration ends with ';'\n"
     "v.fa:4:16: error: unexpected ';', expecting an expression\n"
     "    4 |     let x = 3 +;\n"
     "      |                ^\n"
     "v.fa:5:9: error: unexpected 'mask', expecting identifier\n"
     "    5 |     let mask = 2;\n"
     "      |         ^~~~\n"
     "      = hint: 'mask' is a keyword; it cannot be used as a name\n"
     "v.fa:6:5: error: unexpected identifier 'foo', expecting a declaration or '}'\n"
     "    6 |     foo = 3;\n"
     "      |     ^~~\n"
     "      = hint: a declaration starts with param, let, mask, score, sink, sink_logit or require\n"},
    {"file", "no_variant",
     "# nothing here\n",
     "v.fa:1:1: error: no variant in this file\n"
     "    1 | # nothing here\n"
     "      | ^\n"
     "      = hint: write one: variant NAME { mask = k <= q; }\n"},
    {"file", "two_variants",
     "variant a {\n"
     "    mask = k <= q;\n"
     "}\n"
     "variant b {\n"
     "}\n",
     "v.fa:4:9: error: more than one variant in this file\n"
     "    4 | variant b {\n"
     "      |         ^\n"
     "      = hint: put each variant in its own file\n"
     "v.fa:1:9: note: the first variant is here\n"
     "    1 | variant a {\n"
     "      |         ^\n"},
    {"file", "long_variant_name",
     "variant causal_sliding_window_with_alibi_and_four_sink_tokens {\n"
     "}\n",
     "v.fa:1:9: error: variant name is too long: at most 47 characters\n"
     "    1 | variant causal_sliding_window_with_alibi_and_four_sink_tokens {\n"
     "      |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
     "      = hint: choose a shorter name\n"},
    {"names", "unknown_name_hint",
     "variant v {\n"
     "    param window : i32 = 4096;\n"
     "    mask = q - k < windw;\n"
     "}\n",
     "v.fa:3:20: error: unknown name 'windw'\n"
     "    3 |     mask = q - k < windw;\n"
     "      |                    ^~~~~\n"
     "      = hint: did you mean 'window'?\n"},
    {"names", "unknown_name",
     "variant v {\n"
     "    mask = k <= q + offset;\n"
     "}\n",
     "v.fa:2:21: error: unknown name 'offset'\n"
     "    2 |     mask = k <= q + offset;\n"
     "      |                     ^~~~~~\n"
     "      = hint: declare it with 'param' or 'let' before using it\n"},
    {"names", "duplicate_param",
     "variant v {\n"
     "    param window : i32;\n"
     "    param window : f32;\n"
     "}\n",
     "v.fa:3:11: error: 'window' is already defined\n"
     "    3 |     param window : f32;\n"
     "      |           ^~~~~~\n"
     "      = hint: rename one of them\n"
     "v.fa:2:11: note: 'window' is first defined here\n"
     "    2 |     param window : i32;\n"
     "      |           ^~~~~~\n"},
    {"names", "let_shadows_param",
     "variant v {\n"
     "    param window : i32;\n"
     "    let window = 4;\n"
     "}\n",
     "v.fa:3:9: error: 'window' is already defined\n"
     "    3 |     let window = 4;\n"
     "      |         ^~~~~~\n"
     "      = hint: rename one of them\n"
     "v.fa:2:11: note: 'window' is first defined here\n"
     "    2 |     param window : i32;\n"
     "      |           ^~~~~~\n"},
    {"names", "shadow_builtin_var",
     "variant v {\n"
     "    let q = 1;\n"
     "}\n",
     "v.fa:2:9: error: 'q' is a built-in variable; it cannot be redefined\n"
     "    2 |     let q = 1;\n"
     "      |         ^\n"
     "      = hint: choose another name\n"},
    {"names", "shadow_builtin_fn",
     "variant v {\n"
     "    param exp : f32;\n"
     "}\n",
     "v.fa:2:11: error: 'exp' is a built-in function; it cannot be redefined\n"
     "    2 |     param exp : f32;\n"
     "      |           ^~~\n"
     "      = hint: choose another name\n"},
    {"names", "let_before_definition",
     "variant v {\n"
     "    mask = k <= q - w;\n"
     "    let w = 4;\n"
     "}\n",
     "v.fa:2:21: error: 'w' is used before its definition\n"
     "    2 |     mask = k <= q - w;\n"
     "      |                     ^\n"
     "      = hint: a let is visible only below it; move it up\n"
     "v.fa:3:9: note: 'w' is defined here\n"
     "    3 |     let w = 4;\n"
     "      |         ^\n"},
    {"names", "let_self_reference",
     "variant v {\n"
     "    let w = w + 1;\n"
     "}\n",
     "v.fa:2:13: error: 'w' is used before its definition\n"
     "    2 |     let w = w + 1;\n"
     "      |             ^\n"
     "      = hint: a let is visible only below it; move it up\n"
     "v.fa:2:9: note: 'w' is defined here\n"
     "    2 |     let w = w + 1;\n"
     "      |         ^\n"},
    {"names", "s_outside_score",
     "variant v {\n"
     "    mask = s > 0;\n"
     "}\n",
     "v.fa:2:12: error: 's' is not available here\n"
     "    2 |     mask = s > 0;\n"
     "      |            ^\n"
     "      = hint: s, the scaled q.k score, exists only inside score\n"},
    {"names", "s_in_let",
     "variant v {\n"
     "    let t = s * 2;\n"
     "    score = t;\n"
     "}\n",
     "v.fa:2:13: error: 's' is not available here\n"
     "    2 |     let t = s * 2;\n"
     "      |             ^\n"
     "      = hint: s, the scaled q.k score, exists only inside score\n"},
    {"names", "function_without_call",
     "variant v {\n"
     "    score = exp;\n"
     "}\n",
     "v.fa:2:13: error: 'exp' is a function; it must be called\n"
     "    2 |     score = exp;\n"
     "      |             ^~~\n"
     "      = hint: call it as exp(x)\n"},
    {"names", "not_a_function",
     "variant v {\n"
     "    param window : i32;\n"
     "    mask = window(1);\n"
     "}\n",
     "v.fa:3:12: error: 'window' is not a function\n"
     "    3 |     mask = window(1);\n"
     "      |            ^~~~~~\n"
     "      = hint: the functions are tanh, exp, exp2, log, abs, min, max and where\n"},
    {"names", "unknown_function",
     "variant v {\n"
     "    score = tanhh(s);\n"
     "}\n",
     "v.fa:2:13: error: unknown function 'tanhh'\n"
     "    2 |     score = tanhh(s);\n"
     "      |             ^~~~~\n"
     "      = hint: did you mean 'tanh'?\n"},
    {"names", "unknown_function_no_hint",
     "variant v {\n"
     "    score = sigmoid(s);\n"
     "}\n",
     "v.fa:2:13: error: unknown function 'sigmoid'\n"
     "    2 |     score = sigmoid(s);\n"
     "      |             ^~~~~~~\n"
     "      = hint: the functions are tanh, exp, exp2, log, abs, min, max and where\n"},
    {"singletons", "duplicate_mask",
     "variant v {\n"
     "    mask = k <= q;\n"
     "    mask = q - k < 128;\n"
     "}\n",
     "v.fa:3:5: error: more than one mask\n"
     "    3 |     mask = q - k < 128;\n"
     "      |     ^~~~\n"
     "      = hint: combine the conditions into one mask with && or ||\n"
     "v.fa:2:5: note: the first mask is here\n"
     "    2 |     mask = k <= q;\n"
     "      |     ^~~~\n"},
    {"singletons", "duplicate_score",
     "variant v {\n"
     "    score = s;\n"
     "    score = s * 0.5;\n"
     "}\n",
     "v.fa:3:5: error: more than one score\n"
     "    3 |     score = s * 0.5;\n"
     "      |     ^~~~~\n"
     "      = hint: combine them into one score expression\n"
     "v.fa:2:5: note: the first score is here\n"
     "    2 |     score = s;\n"
     "      |     ^~~~~\n"},
    {"singletons", "duplicate_sink",
     "variant v {\n"
     "    sink 4;\n"
     "    sink 8;\n"
     "}\n",
     "v.fa:3:5: error: more than one sink\n"
     "    3 |     sink 8;\n"
     "      |     ^~~~\n"
     "      = hint: keep one sink\n"
     "v.fa:2:5: note: the first sink is here\n"
     "    2 |     sink 4;\n"
     "      |     ^~~~\n"},
    {"singletons", "duplicate_sink_logit",
     "variant v {\n"
     "    sink_logit = 0.0;\n"
     "    sink_logit = 1.0;\n"
     "}\n",
     "v.fa:3:5: error: more than one sink_logit\n"
     "    3 |     sink_logit = 1.0;\n"
     "      |     ^~~~~~~~~~\n"
     "      = hint: keep one sink_logit\n"
     "v.fa:2:5: note: the first sink_logit is here\n"
     "    2 |     sink_logit = 0.0;\n"
     "      |     ^~~~~~~~~~\n"},
    {"params", "default_type_mismatch",
     "variant v {\n"
     "    param window : i32 = 1.5;\n"
     "}\n",
     "v.fa:2:26: error: default of i32 parameter 'window' is a float\n"
     "    2 |     param window : i32 = 1.5;\n"
     "      |                          ^~~\n"
     "      = hint: write an integer, or declare 'window' as f32\n"},
    {"params", "unknown_type",
     "variant v {\n"
     "    param window : int;\n"
     "}\n",
     "v.fa:2:20: error: unknown type 'int'\n"
     "    2 |     param window : int;\n"
     "      |                    ^~~\n"
     "      = hint: parameter types are i32 and f32\n"},
    {"params", "unknown_dim",
     "variant v {\n"
     "    param slopes : f32[heads];\n"
     "    score = s + slopes[0];\n"   /* no follow-on error for the literal index */
     "}\n",
     "v.fa:2:24: error: unknown dimension 'heads'\n"
     "    2 |     param slopes : f32[heads];\n"
     "      |                        ^~~~~\n"
     "      = hint: a dimension is q_heads, kv_heads, batch, q_len, kv_len or an integer\n"},
    {"params", "zero_dim",
     "variant v {\n"
     "    param table : i32[0];\n"
     "}\n",
     "v.fa:2:23: error: a dimension must be at least 1\n"
     "    2 |     param table : i32[0];\n"
     "      |                       ^\n"
     "      = hint: remove it, or give its size\n"},
    {"params", "tensor_default",
     "variant v {\n"
     "    param slopes : f32[q_heads] = 1.0;\n"
     "}\n",
     "v.fa:2:35: error: tensor parameter 'slopes' cannot have a default\n"
     "    2 |     param slopes : f32[q_heads] = 1.0;\n"
     "      |                                   ^~~\n"
     "      = hint: tensors are passed at launch; remove '= ...'\n"},
    {"params", "too_many_params",
     "variant v {\n"
     "    param p0 : i32;\n"
     "    param p1 : i32;\n"
     "    param p2 : i32;\n"
     "    param p3 : i32;\n"
     "    param p4 : i32;\n"
     "    param p5 : i32;\n"
     "    param p6 : i32;\n"
     "    param p7 : i32;\n"
     "    param p8 : i32;\n"
     "    param p9 : i32;\n"
     "    param p10 : i32;\n"
     "    param p11 : i32;\n"
     "    param p12 : i32;\n"
     "    param p13 : i32;\n"
     "    param p14 : i32;\n"
     "    param p15 : i32;\n"
     "    param p16 : i32;\n"
     "}\n",
     "v.fa:18:11: error: too many parameters: a variant has at most 16\n"
     "   18 |     param p16 : i32;\n"
     "      |           ^~~\n"
     "      = hint: pack scalars of one type into a tensor parameter\n"},
    {"indexing", "float_index",
     "variant v {\n"
     "    param slopes : f32[q_heads];\n"
     "    score = s - slopes[h * 0.5];\n"
     "}\n",
     "v.fa:3:24: error: index 1 of 'slopes' is float; tensor indices must be int\n"
     "    3 |     score = s - slopes[h * 0.5];\n"
     "      |                        ^~~~~~~\n"
     "      = hint: compute indices from ints such as h, b, q and k\n"},
    {"indexing", "index_arity",
     "variant v {\n"
     "    param doc : i32[batch, kv_len];\n"
     "    mask = doc[k] == doc[b, q];\n"
     "}\n",
     "v.fa:3:12: error: 'doc' has 2 dimensions, but 1 index is given\n"
     "    3 |     mask = doc[k] == doc[b, q];\n"
     "      |            ^~~~~~\n"
     "      = hint: index it as doc[b, k]\n"},
    {"indexing", "scalar_indexed",
     "variant v {\n"
     "    param window : i32;\n"
     "    mask = q - k < window[h];\n"
     "}\n",
     "v.fa:3:20: error: 'window' is a scalar parameter; it cannot be indexed\n"
     "    3 |     mask = q - k < window[h];\n"
     "      |                    ^~~~~~\n"
     "      = hint: only tensor parameters (declared with dimensions, e.g. f32[q_heads]) can be indexed\n"},
    {"indexing", "tensor_not_indexed",
     "variant v {\n"
     "    param doc : i32[batch, kv_len];\n"
     "    mask = doc == 0;\n"
     "}\n",
     "v.fa:3:12: error: 'doc' is a tensor parameter; it must be indexed\n"
     "    3 |     mask = doc == 0;\n"
     "      |            ^~~\n"
     "      = hint: index it, e.g. doc[b, k]\n"},
    {"indexing", "builtin_indexed",
     "variant v {\n"
     "    mask = q[0] > 0;\n"
     "}\n",
     "v.fa:2:12: error: 'q' is a built-in; it cannot be indexed\n"
     "    2 |     mask = q[0] > 0;\n"
     "      |            ^\n"
     "      = hint: only tensor parameters (declared with dimensions, e.g. f32[q_heads]) can be indexed\n"},
    {"indexing", "literal_index_past_dim",
     "variant v {\n"
     "    param t : f32[q_heads, 4];\n"
     "    score = s + t[h, 4] + t[h, 3];\n"
     "}\n",
     "v.fa:3:22: error: index 2 of 't' is 4, past its dimension of 4 (0 to 3)\n"
     "    3 |     score = s + t[h, 4] + t[h, 3];\n"
     "      |                      ^\n"
     "      = hint: an index outside its dimension would read 0\n"},
    {"indexing", "negative_literal_index",
     "variant v {\n"
     "    param t : f32[kv_len];\n"
     "    score = s + t[-1];\n"
     "}\n",
     "v.fa:3:19: error: index 1 of 't' is -1; indices start at 0\n"
     "    3 |     score = s + t[-1];\n"
     "      |                   ^~\n"
     "      = hint: an index outside its dimension would read 0\n"},
    {"types", "denormal_float_literal",
     "variant v {\n"
     "    param x : f32 = 1e-40;\n"
     "    score = s * 1e-50 + x;\n"
     "}\n",
     "v.fa:2:21: error: float literal 1e-40 is below float32's normal range (1.17549435e-38); the kernels would read 0\n"
     "    2 |     param x : f32 = 1e-40;\n"
     "      |                     ^~~~~\n"
     "      = hint: write 0, or a value of at least 1.17549435e-38 in magnitude\n"
     "v.fa:3:17: error: float literal 1e-50 is below float32's normal range (1.17549435e-38); the kernels would read 0\n"
     "    3 |     score = s * 1e-50 + x;\n"
     "      |                 ^~~~~\n"
     "      = hint: write 0, or a value of at least 1.17549435e-38 in magnitude\n"},
    {"types", "mask_not_bool",
     "variant v {\n"
     "    mask = q - k;\n"
     "}\n",
     "v.fa:2:12: error: mask must be bool, but this is int\n"
     "    2 |     mask = q - k;\n"
     "      |            ^~~~~\n"
     "      = hint: a mask says which keys a query sees, e.g. mask = k <= q;\n"},
    {"types", "score_bool",
     "variant v {\n"
     "    score = s > 0;\n"
     "}\n",
     "v.fa:2:13: error: score must be a number, but this is bool\n"
     "    2 |     score = s > 0;\n"
     "      |             ^~~~~\n"
     "      = hint: drop keys with mask; choose between numbers with where(c, a, b)\n"},
    {"types", "sink_logit_bool",
     "variant v {\n"
     "    param sinks : f32[q_heads];\n"
     "    sink_logit = sinks[h] > 0.0;\n"
     "}\n",
     "v.fa:3:18: error: sink_logit must be a number, but this is bool\n"
     "    3 |     sink_logit = sinks[h] > 0.0;\n"
     "      |                  ^~~~~~~~~~~~~~\n"
     "      = hint: sink_logit is the learned sink's logit, e.g. sink_logit = sinks[h];\n"},
    {"types", "sink_float",
     "variant v {\n"
     "    sink 4.0;\n"
     "}\n",
     "v.fa:2:10: error: sink must be an int constant, but this is float\n"
     "    2 |     sink 4.0;\n"
     "      |          ^~~\n"
     "      = hint: sink N keeps the first N keys visible: write N, e.g. sink 4;\n"},
    {"types", "sink_param",
     "variant v {\n"
     "    param n : i32 = 4;\n"
     "    sink n + 1;\n"
     "}\n",
     "v.fa:3:10: error: sink must be a constant, but 'n' is a parameter\n"
     "    3 |     sink n + 1;\n"
     "      |          ^\n"
     "      = hint: the number of sink tokens is fixed when the kernel is built: write it, e.g. sink 4;\n"},
    {"types", "sink_negative",
     "variant v {\n"
     "    sink 2 - 6;\n"
     "}\n",
     "v.fa:2:10: error: sink must not be negative, but it is -4\n"
     "    2 |     sink 2 - 6;\n"
     "      |          ^~~~~\n"
     "      = hint: sink N keeps the first N keys visible: write N >= 0, e.g. sink 4;\n"},
    {"types", "sink_div_zero",
     "variant v {\n"
     "    sink 4 / (2 - 2);\n"
     "}\n",
     "v.fa:2:10: error: division by zero in sink's value\n"
     "    2 |     sink 4 / (2 - 2);\n"
     "      |          ^~~~~~~~~~~\n"
     "      = hint: sink N keeps the first N keys visible: write N, e.g. sink 4;\n"},
    {"types", "call_arity",
     "variant v {\n"
     "    score = min(s, 1.0, 2.0);\n"
     "}\n",
     "v.fa:2:13: error: 'min' takes 2 arguments, but 3 were given\n"
     "    2 |     score = min(s, 1.0, 2.0);\n"
     "      |             ^~~~~~~~~~~~~~~~\n"
     "      = hint: call it as min(a, b)\n"},
    {"types", "call_arg_type",
     "variant v {\n"
     "    score = tanh(s > 0);\n"
     "}\n",
     "v.fa:2:18: error: argument 1 of 'tanh' must be a number, but it is bool\n"
     "    2 |     score = tanh(s > 0);\n"
     "      |                  ^~~~~\n"
     "      = hint: use where(c, a, b) to choose a number from a bool\n"},
    {"types", "where_cond",
     "variant v {\n"
     "    score = where(q - k, s, 0.0);\n"
     "}\n",
     "v.fa:2:19: error: argument 1 of 'where' must be bool, but it is int\n"
     "    2 |     score = where(q - k, s, 0.0);\n"
     "      |                   ^~~~~\n"
     "      = hint: compare it, e.g. x != 0\n"},
    {"types", "where_choices",
     "variant v {\n"
     "    score = where(q > k, s, true);\n"
     "}\n",
     "v.fa:2:26: error: the choices of 'where' are float and bool; they must both be numbers or both bool\n"
     "    2 |     score = where(q > k, s, true);\n"
     "      |                          ^~~~~~~\n"
     "      = hint: write where(c, 1, 0) for a number from a bool\n"},
    {"types", "mod_float",
     "variant v {\n"
     "    mask = (q - k) % 2.5 == 0;\n"
     "}\n",
     "v.fa:2:22: error: right operand of '%' is float; '%' needs ints\n"
     "    2 |     mask = (q - k) % 2.5 == 0;\n"
     "      |                      ^~~\n"
     "      = hint: '%' is the remainder of int division; it has no float form\n"},
    {"types", "and_int",
     "variant v {\n"
     "    mask = k <= q && q - k;\n"
     "}\n",
     "v.fa:2:22: error: right operand of '&&' is int; '&&' needs bool\n"
     "    2 |     mask = k <= q && q - k;\n"
     "      |                      ^~~~~\n"
     "      = hint: compare it, e.g. x != 0\n"},
    {"types", "not_int",
     "variant v {\n"
     "    mask = !q;\n"
     "}\n",
     "v.fa:2:13: error: operand of '!' must be bool, but it is int\n"
     "    2 |     mask = !q;\n"
     "      |             ^\n"
     "      = hint: compare it, e.g. x != 0\n"},
    {"types", "neg_bool",
     "variant v {\n"
     "    score = -(s > 0);\n"
     "}\n",
     "v.fa:2:15: error: operand of '-' must be a number, but it is bool\n"
     "    2 |     score = -(s > 0);\n"
     "      |               ^~~~~\n"
     "      = hint: use where(c, a, b) to choose a number from a bool\n"},
    {"types", "arith_bool",
     "variant v {\n"
     "    score = s + (q > k);\n"
     "}\n",
     "v.fa:2:18: error: right operand of '+' is bool; '+' needs numbers\n"
     "    2 |     score = s + (q > k);\n"
     "      |                  ^~~~~\n"
     "      = hint: use where(c, a, b) to choose a number from a bool\n"},
    {"types", "compare_mixed",
     "variant v {\n"
     "    mask = (k <= q) == 1;\n"
     "}\n",
     "v.fa:2:12: error: '==' compares bool with int\n"
     "    2 |     mask = (k <= q) == 1;\n"
     "      |            ^~~~~~~~~~~~~\n"
     "      = hint: both sides must be numbers, or both bool\n"},
    {"types", "sema_several",
     "variant v {\n"
     "    param window : i32 = 4096;\n"
     "    param slopes : f32[q_heads];\n"
     "    mask = q - k < windw;\n"
     "    score = s - slopes[h, 0] * (q - k);\n"
     "    sink window;\n"
     "}\n",
     "v.fa:4:20: error: unknown name 'windw'\n"
     "    4 |     mask = q - k < windw;\n"
     "      |                    ^~~~~\n"
     "      = hint: did you mean 'window'?\n"
     "v.fa:5:17: error: 'slopes' has 1 dimension, but 2 indices are given\n"
     "    5 |     score = s - slopes[h, 0] * (q - k);\n"
     "      |                 ^~~~~~~~~~~~\n"
     "      = hint: index it as slopes[h]\n"
     "v.fa:6:10: error: sink must be a constant, but 'window' is a parameter\n"
     "    6 |     sink window;\n"
     "      |          ^~~~~~\n"
     "      = hint: the number of sink tokens is fixed when the kernel is built: write it, e.g. sink 4;\n"},
    {"types", "sink_logit_position",
     "variant v {\n"
     "    param sinks : f32[q_heads];\n"
     "    sink_logit = sinks[h] - q;\n"
     "}\n",
     "v.fa:3:29: error: 'q' is not available in sink_logit\n"
     "    3 |     sink_logit = sinks[h] - q;\n"
     "      |                             ^\n"
     "      = hint: sink_logit is one value per head and sequence: it may use h, hk, b, q_len, kv_len and params\n"},
    {"types", "sink_logit_let_position",
     "variant v {\n"
     "    param sinks : f32[q_heads];\n"
     "    let d = q - k;\n"
     "    let x = sinks[h] * d;\n"
     "    sink_logit = x;\n"
     "}\n",
     "v.fa:5:18: error: 'x' depends on 'q', which sink_logit cannot use\n"
     "    5 |     sink_logit = x;\n"
     "      |                  ^\n"
     "      = hint: sink_logit is one value per head and sequence: it may use h, hk, b, q_len, kv_len and params\n"},
    {"require", "reads_launch_data",
     "variant v {\n"
     "    param sinks : f32[q_heads];\n"
     "    param w : i32 = 4;\n"
     "    let d = q - k;\n"
     "    require w > d;\n"
     "    require sinks[0] > 0.0;\n"
     "    require kv_len > w;\n"
     "    require w;\n"
     "}\n",
     "v.fa:5:17: error: 'd' depends on 'q', which require cannot use\n"
     "    5 |     require w > d;\n"
     "      |                 ^\n"
     "      = hint: " REQUIRE_HINT "\n"
     "v.fa:6:13: error: tensor 'sinks' is not available in require\n"
     "    6 |     require sinks[0] > 0.0;\n"
     "      |             ^~~~~\n"
     "      = hint: " REQUIRE_HINT "\n"
     "v.fa:7:13: error: 'kv_len' is not available in require\n"
     "    7 |     require kv_len > w;\n"
     "      |             ^~~~~~\n"
     "      = hint: " REQUIRE_HINT "\n"
     "v.fa:8:13: error: require must be bool, but this is int\n"
     "    8 |     require w;\n"
     "      |             ^\n"
     "      = hint: require states a condition on parameters, e.g. require window > 0;\n"},
    {"require", "defaults_fail",
     "variant v {\n"
     "    param w : i32 = 0;\n"
     "    param c : f32 = 1.5;\n"
     "    param n : i32;\n"
     "    let twice = w * 2;\n"
     "    require twice > 0 && c < 2.0;\n"
     "    require n > w;\n"
     "    require 1 > 2;\n"
     "    mask = k <= q;\n"
     "}\n",
     "v.fa:6:13: error: the defaults fail this require (w = 0, c = 1.5)\n"
     "    6 |     require twice > 0 && c < 2.0;\n"
     "      |             ^~~~~~~~~~~~~~~~~~~~\n"
     "      = hint: change a default, or remove it so that every launch must pass a value\n"
     "v.fa:8:13: error: this require never holds: it reads no parameter\n"
     "    8 |     require 1 > 2;\n"
     "      |             ^~~~~\n"
     "      = hint: require states a condition on parameters, e.g. require window > 0;\n"},
    {"require", "defaults_fail_flushed", /* 1e-40 is below float32's normal range: 0 */
     "variant v {\n"
     "    param c : f32 = 1e-30;\n"
     "    require c * 1e-10 > 0.0;\n"
     "    mask = k <= q;\n"
     "}\n",
     "v.fa:3:13: error: the defaults fail this require (c = 1e-30)\n"
     "    3 |     require c * 1e-10 > 0.0;\n"
     "      |             ^~~~~~~~~~~~~~~\n"
     "      = hint: change a default, or remove it so that every launch must pass a value\n"},
};

/* Checks every case of `group`: the exact text, and one counted error per "error:" line. */
static void fa_test_group(const char *group)
{
    int ran = 0;
    for (size_t i = 0; i < sizeof fa_diag_cases / sizeof fa_diag_cases[0]; i++) {
        const fa_diag_case *c = &fa_diag_cases[i];
        if (strcmp(c->group, group) != 0)
            continue;
        int n_errors, want = 0;
        char *text = (strcmp(group, "require") == 0 ? fa_test_compile_diagnose : fa_test_diagnose)(c->source, &n_errors);
        for (const char *p = c->expected; (p = strstr(p, ": error: ")); p++)
            want++;
        if (strcmp(text, c->expected) != 0)
            fprintf(stderr, "\n--- %s: expected\n%s--- got\n%s", c->name, c->expected, text);
        CU_ASSERT_STRING_EQUAL(text, c->expected);
        CU_ASSERT_EQUAL(n_errors, want);
        free(text);
        ran++;
    }
    CU_ASSERT(ran > 0);
}

static void test_lexer(void) { fa_test_group("lexer"); }
static void test_syntax(void) { fa_test_group("syntax"); }
static void test_file(void) { fa_test_group("file"); }
static void test_names(void) { fa_test_group("names"); }
static void test_singletons(void) { fa_test_group("singletons"); }
static void test_params(void) { fa_test_group("params"); }
static void test_indexing(void) { fa_test_group("indexing"); }
static void test_types(void) { fa_test_group("types"); }
static void test_require(void) { fa_test_group("require"); }

/* Names of 64 characters or more are not compared for "did you mean": an unknown long name
 * gets no suggestion of another long one (their distance's cap read as close). */
static void test_long_names_suggest_nothing(void)
{
    char a[201], b[201];
    memset(a, 'a', 200), memset(b, 'b', 200);
    a[200] = b[200] = '\0';
    fa_buf src = {0};
    fa_buf_printf(&src, "variant v {\n    param %s : i32 = 1;\n    mask = k <= q + %s;\n}\n", a, b);
    int n_errors;
    char *text = fa_test_diagnose(src.data, &n_errors);
    CU_ASSERT_EQUAL(n_errors, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "unknown name"));
    CU_ASSERT_PTR_NULL(strstr(text, "did you mean"));
    free(text);
    fa_buf_free(&src);
}

/* `score = <open>s<close>` with `open`/`close` repeated `n` times. */
static char *fa_test_deep(const char *open, const char *close, int n, int *n_errors)
{
    fa_buf src = {0};
    fa_buf_puts(&src, "variant v {\n    score = ");
    for (int i = 0; i < n; i++)
        fa_buf_puts(&src, open);
    fa_buf_puts(&src, "s");
    for (int i = 0; i < n; i++)
        fa_buf_puts(&src, close);
    fa_buf_puts(&src, ";\n}\n");
    char *text = fa_test_diagnose(src.data, n_errors);
    fa_buf_free(&src);
    return text;
}

/* Nesting deeper than the parser's stack, or than sema's limit (a long left-leaning
 * chain parses in constant stack), is one error, not a crash. */
static void test_deep_nesting(void)
{
    const char *shapes[][2] = {{"(", ")"}, {"s + ", ""}, {"-", ""}};
    for (int i = 0; i < 3; i++) {
        int n_errors;
        char *text = fa_test_deep(shapes[i][0], shapes[i][1], 5000, &n_errors);
        CU_ASSERT_EQUAL(n_errors, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "error: expression nested too deeply\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "= hint: simplify it: at most 1000 nested operations\n"));
        free(text);
        text = fa_test_deep(shapes[i][0], shapes[i][1], 200, &n_errors);
        CU_ASSERT_EQUAL(n_errors, 0);
        free(text);
    }
}

/* Seconds since t0 (CLOCK_MONOTONIC). */
static double fa_test_secs_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* A chain of lets nests as deep as its inlined IR: past the limit it is one error at the
 * use (not a stack overflow in lowering); 100000 shallow lets check in linear time (names
 * hashed, lets indexed by position), where a scan per reference took minutes. */
static void test_many_lets(void)
{
    for (int deep = 0; deep < 2; deep++) {
        enum { LETS = 100000 };
        fa_buf src = {0};
        fa_buf_puts(&src, "variant v {\n    let a0 = q - k;\n");
        for (int i = 1; i < LETS; i++)
            fa_buf_printf(&src, deep ? "    let a%d = a%d + 1;\n" : "    let a%d = a0 + %d;\n", i, deep ? i - 1 : i);
        fa_buf_printf(&src, "    mask = a%d > 0;\n}\n", LETS - 1);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int n_errors;
        char *text = fa_test_diagnose(src.data, &n_errors);
        CU_ASSERT(fa_test_secs_since(&t0) < 20.0);
        CU_ASSERT_EQUAL(n_errors, deep ? 1 : 0);
        if (deep) {
            /* a0 nests 2 operations, each link one more: a998 nests 1000 */
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "error: expression nested too deeply through 'a998'\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "this one nests 1000 operations, at most 1000 in all"));
        }
        free(text);
        fa_buf_free(&src);
    }
    /* a chain just inside the limit compiles */
    fa_buf src = {0};
    fa_buf_puts(&src, "variant v {\n    let a0 = q - k;\n");
    for (int i = 1; i < 990; i++)
        fa_buf_printf(&src, "    let a%d = a%d + 1;\n", i, i - 1);
    fa_buf_puts(&src, "    mask = a989 > 0;\n}\n");
    int n_errors;
    free(fa_test_diagnose(src.data, &n_errors));
    CU_ASSERT_EQUAL(n_errors, 0);
    fa_buf_free(&src);
}

/* The renderer itself: spans over several lines, empty spans, tabs, warnings, notes. */
static void test_render(void)
{
    fa_diags d;
    fa_diag_init(&d, "r.fa", "ab\tcd efg\nsecond\n");
    fa_diag_error(&d, (fa_loc){1, 4, 2, 3}, "to the end of line %d", 1);
    fa_diag_warning(&d, (fa_loc){1, 8, 1, 8}, "empty span");
    fa_diag_note(&d, (fa_loc){2, 1, 2, 7}, "a note");
    fa_diag_hint(&d, "a hint");
    CU_ASSERT_STRING_EQUAL(d.text.data,
                           "r.fa:1:4: error: to the end of line 1\n"
                           "    1 | ab      cd efg\n"
                           "      |         ^~~~~~\n"
                           "r.fa:1:8: warning: empty span\n"
                           "    1 | ab      cd efg\n"
                           "      |             ^\n"
                           "r.fa:2:1: note: a note\n"
                           "    2 | second\n"
                           "      | ^~~~~~\n"
                           "      = hint: a hint\n");
    CU_ASSERT_EQUAL(d.n_errors, 1);
    CU_ASSERT_EQUAL(d.n_warnings, 1);
    fa_buf_free(&d.text);

    fa_diag_init(&d, NULL, "x");
    fa_diag_error(&d, (fa_loc){7, 1, 7, 2}, "past the end");
    CU_ASSERT_STRING_EQUAL(d.text.data, "<input>:7:1: error: past the end\n");
    fa_buf_free(&d.text);
}

/* fa_parse and fa_sema_check return the errors they added. */
static void test_counts(void)
{
    fa_diags d;
    fa_diag_init(&d, "v.fa", "variant v {\n    mask = q <;\n    score = s +;\n}\n");
    fa_unit u = {.arena = fa_arena_new(), .diags = &d};
    CU_ASSERT_EQUAL(fa_parse(&u), 2);
    CU_ASSERT_EQUAL(d.n_errors, 2);
    fa_arena_free(u.arena);
    fa_buf_free(&d.text);

    fa_diag_init(&d, "v.fa", "variant v {\n    mask = x < y;\n    score = z;\n}\n");
    u = (fa_unit){.arena = fa_arena_new(), .diags = &d};
    CU_ASSERT_EQUAL(fa_parse(&u), 0);
    CU_ASSERT_EQUAL(fa_sema_check(&u), 3);
    fa_arena_free(u.arena);
    fa_buf_free(&d.text);
}

/* Occurrences of `needle` in `s`. */
static int fa_test_count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* At most FA_DIAG_MAX_ERRORS errors are shown; the next one becomes a single stopping
 * line, the count stays at the limit, and nothing (hints, notes) follows. Exactly the
 * limit shows no stopping line. */
static void test_error_limit(void)
{
    for (int extra = 0; extra <= 10; extra += 10) {
        fa_buf src = {0};
        fa_buf_puts(&src, "variant v {\n");
        for (int i = 0; i < FA_DIAG_MAX_ERRORS + extra; i++)
            fa_buf_puts(&src, "    @\n");
        fa_buf_puts(&src, "    mask = k <= q;\n}\n");
        fa_diags d;
        fa_diag_init(&d, "v.fa", src.data);
        fa_unit u = {.arena = fa_arena_new(), .diags = &d};
        /* the parse's return counts the error that stopped it too */
        CU_ASSERT_EQUAL(fa_parse(&u), FA_DIAG_MAX_ERRORS + (extra > 0));
        CU_ASSERT_EQUAL(d.n_errors, FA_DIAG_MAX_ERRORS);
        CU_ASSERT_EQUAL(fa_test_count(d.text.data, ": error: "), FA_DIAG_MAX_ERRORS);
        CU_ASSERT_EQUAL(fa_diag_stopped(&d), extra > 0);
        const char *stop = "v.fa:22:5: fatal error: too many errors (20); stopping\n";
        size_t len = strlen(d.text.data);
        if (extra) {
            CU_ASSERT(len > strlen(stop) && strcmp(d.text.data + len - strlen(stop), stop) == 0);
        } else {
            CU_ASSERT_PTR_NULL(strstr(d.text.data, "too many errors"));
        }
        /* one more error stops (at the limit, without extra); after stopping, nothing
         * more is reported or counted */
        fa_diag_error(&d, (fa_loc){2, 5, 2, 6}, "more");
        fa_diag_note(&d, (fa_loc){2, 5, 2, 6}, "note");
        fa_diag_hint(&d, "hint");
        CU_ASSERT_EQUAL(strlen(d.text.data) > len, !extra);
        CU_ASSERT_EQUAL(d.n_errors, FA_DIAG_MAX_ERRORS);
        CU_ASSERT_EQUAL(fa_test_count(d.text.data, "too many errors (20); stopping\n"), 1);
        fa_arena_free(u.arena);
        fa_buf_free(&d.text);
        fa_buf_free(&src);
    }
}

/* Garbage costs time linear in its size: 200000 bad lines (each a stray character, or a
 * statement that does not parse) stop at the error limit, well under a second (a rescan
 * of the source per line took a minute, and 200000 errors were reported); and a run of
 * notes in source order finds each line without rescanning from the start. */
static void test_garbage_is_fast(void)
{
    enum { LINES = 200000 };
    const char *garbage[] = {"@\n", "mask = ;\n", "1x 2y $ \342\211\244\n"};
    for (int g = 0; g < 3; g++) {
        fa_buf src = {0};
        fa_buf_puts(&src, "variant v {\n");
        for (int i = 0; i < LINES; i++)
            fa_buf_puts(&src, garbage[g]);
        fa_buf_puts(&src, "}\n");
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int n_errors;
        char *text = fa_test_diagnose(src.data, &n_errors);
        double secs = fa_test_secs_since(&t0);
        CU_ASSERT(secs < 2.0);
        CU_ASSERT_EQUAL(n_errors, FA_DIAG_MAX_ERRORS);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "fatal error: too many errors (20); stopping\n"));
        CU_ASSERT(strlen(text) < 8192);
        free(text);
        fa_buf_free(&src);
    }

    fa_buf src = {0};
    for (int i = 1; i <= LINES; i++)
        fa_buf_printf(&src, "line %d\n", i);
    fa_diags d;
    fa_diag_init(&d, "n.fa", src.data);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 3; i <= LINES; i += 4)
        fa_diag_note(&d, (fa_loc){i, 1, i, 5}, "here");
    CU_ASSERT(fa_test_secs_since(&t0) < 2.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.text.data, "n.fa:199999:1: note: here\n"
                                               "199999 | line 199999\n"
                                               "      | ^~~~\n"));
    /* and backwards, and past the end */
    fa_buf_free(&d.text);
    fa_diag_note(&d, (fa_loc){3, 6, 3, 7}, "back");
    fa_diag_note(&d, (fa_loc){199998, 6, 199998, 12}, "forth");
    fa_diag_note(&d, (fa_loc){LINES + 5, 1, LINES + 5, 2}, "past");
    fa_diag_note(&d, (fa_loc){1, 1, 1, 2}, "first");
    CU_ASSERT_STRING_EQUAL(d.text.data, "n.fa:3:6: note: back\n"
                                        "    3 | line 3\n"
                                        "      |      ^\n"
                                        "n.fa:199998:6: note: forth\n"
                                        "199998 | line 199998\n"
                                        "      |      ^~~~~~\n"
                                        "n.fa:200005:1: note: past\n"
                                        "n.fa:1:1: note: first\n"
                                        "    1 | line 1\n"
                                        "      | ^\n");
    fa_buf_free(&d.text);
    fa_buf_free(&src);
}

/* The echo and caret lines of the first diagnostic in `text` (pointers into it, lengths
 * in *echo_len / *caret_len), found after "| " on the 2nd and 3rd lines. */
static void fa_test_snippet(const char *text, const char **echo, size_t *echo_len, const char **caret,
                            size_t *caret_len)
{
    const char *l2 = strchr(text, '\n') + 1;
    const char *l3 = strchr(l2, '\n') + 1;
    *echo = strstr(l2, " | ") + 3;
    *echo_len = (size_t)(strchr(*echo, '\n') - *echo);
    *caret = strstr(l3, " | ") + 3;
    *caret_len = (size_t)(strchr(*caret, '\n') - *caret);
}

/* The byte of `echo` at display column `col` (0-based; UTF-8 continuation bytes take no
 * room, the echo holds no tabs), or NULL. */
static const char *fa_test_at_column(const char *echo, size_t len, size_t col)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)echo[i] & 0xc0) == 0x80)
            continue;
        if (w++ == col)
            return echo + i;
    }
    return NULL;
}

/* A long line is echoed as a window of at most FA_DIAG_MAX_ECHO columns around the caret
 * with "..." where it was cut; the caret stays under its character through tabs and
 * UTF-8, and a span is underlined to the window's edge. A 20 KB line of garbage gave
 * 300 MB of output (each error echoed the whole line). */
static void test_long_lines(void)
{
    /* where the mark sits: near the start, the middle, the end */
    const int reps[][2] = {{3, 5000}, {2500, 2500}, {5000, 3}};
    const char *units[] = {"@ ", "\t\303\251y", "ab\tc"};
    for (int u = 0; u < 3; u++) {
        for (int r = 0; r < 3; r++) {
            fa_buf src = {0};
            fa_buf_puts(&src, "first\n");
            for (int i = 0; i < reps[r][0]; i++)
                fa_buf_puts(&src, units[u]);
            int col = (int)src.len - 6 + 1;   /* the mark's column on line 2 */
            fa_buf_puts(&src, "MARK");
            for (int i = 0; i < reps[r][1]; i++)
                fa_buf_puts(&src, units[u]);
            fa_buf_puts(&src, "\nlast\n");
            for (int span = 0; span < 2; span++) {
                fa_diags d;
                fa_diag_init(&d, "l.fa", src.data);
                /* span 0: the mark; span 1: from the mark over the line's end */
                fa_diag_error(&d, span ? (fa_loc){2, col, 3, 2} : (fa_loc){2, col, 2, col + 4}, "here");
                const char *echo, *caret;
                size_t echo_len, caret_len;
                fa_test_snippet(d.text.data, &echo, &echo_len, &caret, &caret_len);
                CU_ASSERT(echo_len <= FA_DIAG_MAX_ECHO + 6 + 8 * 4);   /* "..." twice, UTF-8 bytes */
                size_t caret_col = strcspn(caret, "^");
                const char *at = fa_test_at_column(echo, echo_len, caret_col);
                CU_ASSERT(at && strncmp(at, "MARK", 4) == 0);
                CU_ASSERT_EQUAL(strncmp(echo, "...", 3) == 0, r > 0);
                CU_ASSERT_EQUAL(echo_len >= 3 && strncmp(echo + echo_len - 3, "...", 3) == 0, r < 2);
                size_t tildes = caret_len - caret_col - 1;
                CU_ASSERT_EQUAL(strspn(caret + caret_col + 1, "~"), tildes);
                if (!span) {
                    CU_ASSERT_EQUAL(tildes, 3);
                } else {
                    /* to the end of the echoed text (before a trailing "...") */
                    size_t shown = 0;
                    for (size_t i = 0; i < echo_len; i++)
                        shown += ((unsigned char)echo[i] & 0xc0) != 0x80;
                    CU_ASSERT_EQUAL(caret_col + 1 + tildes, shown - (r < 2 ? 3 : 0));
                }
                fa_buf_free(&d.text);
            }
            fa_buf_free(&src);
        }
    }

    /* the front end on a 20 KB line of stray characters: 20 errors, small output */
    fa_buf src = {0};
    fa_buf_puts(&src, "variant v { mask = ");
    for (int i = 0; i < 10000; i++)
        fa_buf_puts(&src, "@ ");
    fa_buf_puts(&src, "k < q; }\n");
    int n_errors;
    char *text = fa_test_diagnose(src.data, &n_errors);
    CU_ASSERT_EQUAL(n_errors, FA_DIAG_MAX_ERRORS);
    CU_ASSERT(strlen(text) < 21 * 600);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "v.fa:1:22: error: unexpected character '@'\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "v.fa:1:60: fatal error: too many errors (20); stopping\n"));
    free(text);
    fa_buf_free(&src);

    /* stray UTF-8 continuation bytes take a column each: a line of them is cut too */
    fa_buf stray = {0};
    fa_buf_puts(&stray, "variant v {\n    mask = k <= q;\n}\n");
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4000; j++)
            fa_buf_puts(&stray, "\x80");
        fa_buf_puts(&stray, "@");
    }
    fa_buf_puts(&stray, "\n");
    text = fa_test_diagnose(stray.data, &n_errors);
    CU_ASSERT(n_errors >= 1);
    CU_ASSERT(strlen(text) < (size_t)n_errors * 4 * (FA_DIAG_MAX_ECHO + 100));
    free(text);
    fa_buf_free(&stray);
}

void fa_suite_diagnostics(void)
{
    static const CU_TestInfo tests[] = {
        {"lexer", test_lexer},
        {"syntax", test_syntax},
        {"file", test_file},
        {"names", test_names},
        {"singletons", test_singletons},
        {"params", test_params},
        {"indexing", test_indexing},
        {"types", test_types},
        {"require", test_require},
        {"deep_nesting", test_deep_nesting},
        {"long_names_suggest_nothing", test_long_names_suggest_nothing},
        {"many_lets", test_many_lets},
        {"render", test_render},
        {"counts", test_counts},
        {"error_limit", test_error_limit},
        {"garbage_is_fast", test_garbage_is_fast},
        {"long_lines", test_long_lines},
        CU_TEST_INFO_NULL,
    };
    fa_test_add_suite("diagnostics", tests);
}
