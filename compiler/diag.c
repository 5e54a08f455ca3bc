/* diag.c - located diagnostics rendered as a C compiler does: a `file:line:col:` header,
 * the source line, a caret line under the span, and hints. Tabs in the source line are
 * expanded to stops of 8 (in the caret line too) so the caret lines up in any viewer. */
#include "fa.h"

#include <string.h>

enum { FA_DIAG_TAB = 8 };

void fa_diag_init(fa_diags *d, const char *filename, const char *source)
{
    memset(d, 0, sizeof *d);
    d->filename = filename ? filename : "<input>";
    d->source = source ? source : "";
}

fa_loc fa_loc_span(fa_loc from, fa_loc to)
{
    return (fa_loc){from.line, from.col, to.end_line, to.end_col};
}

/* The start of 1-based line `line` of `src`, or NULL past the end. */
static const char *fa_diag_line(const char *src, int line)
{
    for (int l = 1; l < line; src++) {
        if (!*src)
            return NULL;
        if (*src == '\n')
            l++;
    }
    return line >= 1 ? src : NULL;
}

/* Display width of byte c at display column w: tabs reach the next stop, UTF-8
 * continuation bytes take no room. */
static int fa_diag_width(unsigned char c, int w)
{
    if (c == '\t')
        return FA_DIAG_TAB - w % FA_DIAG_TAB;
    return (c & 0xc0) == 0x80 ? 0 : 1;
}

/* The source line of `loc` and a caret line under its span. */
static void fa_diag_snippet(fa_diags *d, fa_loc loc)
{
    const char *s = fa_diag_line(d->source, loc.line);
    if (!s)
        return;
    size_t n = strcspn(s, "\n");
    if (n && s[n - 1] == '\r')
        n--;
    fa_buf_printf(&d->text, "%5d | ", loc.line);
    int w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int cw = fa_diag_width(c, w);
        if (c == '\t' || c < ' ' || c == 127)
            fa_buf_printf(&d->text, "%*s", cw, "");
        else
            fa_buf_printf(&d->text, "%c", c);
        w += cw;
    }
    /* The caret line: pad to the span's first column, then ^ and ~ to its end. */
    int end = loc.end_line > loc.line ? (int)n + 1 : loc.end_col;
    fa_buf_puts(&d->text, "\n      | ");
    w = 0;
    int col = 1;
    for (; col < loc.col; col++) {
        int cw = (size_t)col <= n ? fa_diag_width((unsigned char)s[col - 1], w) : 1;
        fa_buf_printf(&d->text, "%*s", cw, "");
        w += cw;
    }
    int span = 0;
    for (; col < end && (size_t)col <= n; col++) {
        int cw = fa_diag_width((unsigned char)s[col - 1], w);
        span += cw;
        w += cw;
    }
    fa_buf_puts(&d->text, "^");
    for (int i = 1; i < span; i++)
        fa_buf_puts(&d->text, "~");
    fa_buf_puts(&d->text, "\n");
}

static void fa_diag_emit(fa_diags *d, const char *kind, fa_loc loc, const char *fmt, va_list ap)
{
    fa_buf_printf(&d->text, "%s:%d:%d: %s: ", d->filename, loc.line, loc.col, kind);
    fa_buf_vprintf(&d->text, fmt, ap);
    fa_buf_puts(&d->text, "\n");
    fa_diag_snippet(d, loc);
}

void fa_diag_error(fa_diags *d, fa_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "error", loc, fmt, ap);
    va_end(ap);
    d->n_errors++;
}

void fa_diag_warning(fa_diags *d, fa_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "warning", loc, fmt, ap);
    va_end(ap);
    d->n_warnings++;
}

void fa_diag_note(fa_diags *d, fa_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "note", loc, fmt, ap);
    va_end(ap);
}

void fa_diag_hint(fa_diags *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_buf_puts(&d->text, "      = hint: ");
    fa_buf_vprintf(&d->text, fmt, ap);
    fa_buf_puts(&d->text, "\n");
    va_end(ap);
}
