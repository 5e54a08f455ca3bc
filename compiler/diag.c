/* diag.c - located diagnostics rendered as a C compiler does: a `file:line:col:` header,
 * the source line, a caret line under the span, and hints. Tabs in the source line are
 * expanded to stops of 8 (in the caret line too) so the caret lines up in any viewer.
 * Bounded for hostile input: at most FA_DIAG_MAX_ERRORS errors, source lines cut to
 * FA_DIAG_MAX_ECHO columns, and line lookups linear in the source over a run. */
#include "fa.h"

#include <string.h>

enum { FA_DIAG_TAB = 8 };

void fa_diag_init(fa_diags *d, const char *filename, const char *source)
{
    memset(d, 0, sizeof *d);
    d->filename = filename ? filename : "<input>";
    d->source = source ? source : "";
    d->cur_line = 1;
    d->cur_start = d->source;
}

bool fa_diag_stopped(const fa_diags *d)
{
    return d->stopped;
}

int fa_diag_found(const fa_diags *d)
{
    return d->n_errors + d->stopped;
}

fa_loc fa_loc_span(fa_loc from, fa_loc to)
{
    return (fa_loc){from.line, from.col, to.end_line, to.end_col};
}

/* The start of 1-based line `line` of the source, or NULL past the end. Lookups start
 * from the last line found (forwards or backwards), so a run of diagnostics in source
 * order costs time linear in the source, not quadratic. */
static const char *fa_diag_line(fa_diags *d, int line)
{
    if (line < 1)
        return NULL;
    if (!d->cur_start || line < d->cur_line / 2) {
        d->cur_line = 1;
        d->cur_start = d->source;
    }
    const char *s = d->cur_start;
    int l = d->cur_line;
    while (l > line) {   /* back to the start of the line before */
        s--;
        while (s > d->source && s[-1] != '\n')
            s--;
        l--;
    }
    while (l < line) {
        const char *nl = strchr(s, '\n');
        if (!nl)
            break;
        s = nl + 1;
        l++;
    }
    d->cur_line = l;
    d->cur_start = s;
    return l == line ? s : NULL;
}

/* Whether byte i of line s continues the UTF-8 sequence of a lead byte before it (a stray
 * continuation byte does not: it takes a column of its own, so invalid UTF-8 cannot make
 * a long line look short). */
static bool fa_diag_joins(const char *s, int i)
{
    int j = i;
    while (j > 0 && i - j < 3 && ((unsigned char)s[j] & 0xc0) == 0x80)
        j--;
    unsigned char lead = (unsigned char)s[j];
    int len = lead >= 0xf0 && lead <= 0xf7 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc0 && lead <= 0xdf ? 2 : 1;
    return j < i && ((unsigned char)s[i] & 0xc0) == 0x80 && i - j < len;
}

/* Display width of byte i of line s at display column w: tabs reach the next stop, UTF-8
 * continuation bytes take no room. */
static int fa_diag_width(const char *s, int i, int w)
{
    if (s[i] == '\t')
        return FA_DIAG_TAB - w % FA_DIAG_TAB;
    return fa_diag_joins(s, i) ? 0 : 1;
}

/* The source line of `loc` and a caret line under its span. A line wider than
 * FA_DIAG_MAX_ECHO display columns is cut to a window of that many around the caret,
 * "..." marking each cut; the window's edges fall between characters (never inside a
 * tab or a UTF-8 sequence), and tabs keep their widths from the start of the line. */
static void fa_diag_snippet(fa_diags *d, fa_loc loc)
{
    const char *s = fa_diag_line(d, loc.line);
    if (!s)
        return;
    int n = (int)strcspn(s, "\n");
    if (n && s[n - 1] == '\r')
        n--;
    /* Display columns (0-based) of the span's start c0 and end c1 and the line's width:
     * columns past the end of the line are one wide; the span stops at the line's end. */
    int first = loc.col < 1 ? 0 : loc.col - 1;
    int last = loc.end_line > loc.line ? n : loc.end_col - 1;
    if (last > n)
        last = n;
    if (last < first)
        last = first;
    int w = 0, c0 = -1, c1 = -1;
    for (int i = 0; i < n; i++) {
        if (i == first)
            c0 = w;
        if (i == last)
            c1 = w;
        w += fa_diag_width(s, i, w);
    }
    int total = w;
    if (c0 < 0)
        c0 = total + (first - n);
    if (c1 < 0)
        c1 = total;
    if (c1 < c0)
        c1 = c0;
    /* The window [lo, hi) of display columns shown: all of the line when it fits,
     * else centred on the caret where the line allows. */
    int lo = 0, hi = total;
    if (total > FA_DIAG_MAX_ECHO) {
        lo = c0 - FA_DIAG_MAX_ECHO / 2;
        if (lo > total - FA_DIAG_MAX_ECHO)
            lo = total - FA_DIAG_MAX_ECHO;
        if (lo < 0)
            lo = 0;
        hi = lo + FA_DIAG_MAX_ECHO;
    }

    fa_buf_printf(&d->text, "%5d | ", loc.line);
    int shown_lo = -1, shown_hi = 0;   /* the display columns actually echoed */
    bool in = false, cut_before = false, cut_after = false;
    w = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int cw = fa_diag_width(s, i, w);
        if (!fa_diag_joins(s, i))   /* a continuation byte goes with its leader */
            in = w >= lo && w + cw <= hi;
        if (in) {
            if (shown_lo < 0) {
                shown_lo = w;
                cut_before = i > 0;
                if (cut_before)
                    fa_buf_puts(&d->text, "...");
            }
            if (c == '\t' || c < ' ' || c == 127)
                fa_buf_printf(&d->text, "%*s", cw, "");
            else
                fa_buf_printf(&d->text, "%c", c);
            shown_hi = w + cw;
        } else if (shown_lo >= 0) {
            cut_after = true;
            break;
        }
        w += cw;
    }
    if (cut_after)
        fa_buf_puts(&d->text, "...");
    if (shown_lo < 0)
        shown_lo = 0;
    /* The caret line: pad to the span's first column, then ^ and ~ to its end (cut at
     * the window's end). */
    int pad = c0 - shown_lo + (cut_before ? 3 : 0);
    if (cut_after && c1 > shown_hi)
        c1 = shown_hi;
    fa_buf_printf(&d->text, "\n      | %*s^", pad > 0 ? pad : 0, "");
    for (int i = 1; i < c1 - c0; i++)
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
    if (d->stopped)
        return;
    if (d->n_errors >= FA_DIAG_MAX_ERRORS) {
        d->stopped = true;
        fa_buf_printf(&d->text, "%s:%d:%d: fatal error: too many errors (%d); stopping\n", d->filename,
                      loc.line, loc.col, FA_DIAG_MAX_ERRORS);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "error", loc, fmt, ap);
    va_end(ap);
    d->n_errors++;
}

void fa_diag_warning(fa_diags *d, fa_loc loc, const char *fmt, ...)
{
    if (d->stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "warning", loc, fmt, ap);
    va_end(ap);
    d->n_warnings++;
}

void fa_diag_note(fa_diags *d, fa_loc loc, const char *fmt, ...)
{
    if (d->stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    fa_diag_emit(d, "note", loc, fmt, ap);
    va_end(ap);
}

void fa_diag_hint(fa_diags *d, const char *fmt, ...)
{
    if (d->stopped)
        return;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_puts(&d->text, "      = hint: ");
    fa_buf_vprintf(&d->text, fmt, ap);
    fa_buf_puts(&d->text, "\n");
    va_end(ap);
}
