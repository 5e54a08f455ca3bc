/* fuzz_parser.c - libFuzzer target for the front end: lexes, parses and checks any bytes
 * (sema runs even after syntax errors: any AST the parser builds must be safe to check)
 * and prints every expression back. Aborts unless each counted error was rendered
 * ("fuzz.fa:L:C: error: ..." headers match n_errors). Leaks are ASan's to find
 * (build with -DFA_SANITIZE=ON). Seeds: tests/fuzz_corpus/, tokens: fuzz_parser.dict. */
#include "fa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Error headers in the rendered text: lines "fuzz.fa:L:C: error: ...". */
static int fuzz_count_errors(const char *text)
{
    int n = 0;
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        size_t len = strcspn(line, "\n");
        const char *e = strstr(line, ": error: ");
        if (strncmp(line, "fuzz.fa:", 8) == 0 && e && (size_t)(e - line) < len)
            n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0';

    fa_diags d;
    fa_diag_init(&d, "fuzz.fa", src);
    fa_unit u = {.arena = fa_arena_new(), .diags = &d};
    fa_parse(&u);
    fa_sema_check(&u);

    fa_buf out = {0};
    for (fa_variant *v = u.variants; v; v = v->next)
        for (fa_decl *decl = v->decls; decl; decl = decl->next)
            if (decl->value)
                fa_ast_print_expr(&out, decl->value);
    fa_buf_free(&out);

    if (d.n_errors < 1 && u.variants == NULL)
        abort();   /* "no variant" is an error */
    if (fuzz_count_errors(d.text.data) != d.n_errors)
        abort();
    fa_buf_free(&d.text);
    fa_arena_free(u.arena);
    free(src);
    return 0;
}
