/* util.c - arena allocation, growable strings, hashing, whole-file reads, full writes. */
#define _POSIX_C_SOURCE 200809L /* open(O_CLOEXEC), fstat */
#include "fa.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fa_chunk {
    struct fa_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} fa_chunk;

struct fa_arena {
    fa_chunk *head;
};

enum { FA_ARENA_CHUNK = 64 * 1024, FA_ARENA_ALIGN = 16 };

/* The compiler treats running out of memory as fatal (like chibicc and QBE): every
 * allocation outside fa_read_file goes through these two, which never return NULL. */
static void fa_out_of_memory(void)
{
    fprintf(stderr, "fadsl: out of memory\n");
    abort();
}

void *fa_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        fa_out_of_memory();
    return p;
}

void *fa_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        fa_out_of_memory();
    return q;
}

fa_arena *fa_arena_new(void)
{
    return fa_xcalloc(1, sizeof(fa_arena));
}

void fa_arena_free(fa_arena *a)
{
    if (!a)
        return;
    for (fa_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *fa_arena_alloc(fa_arena *a, size_t size)
{
    size = (size + FA_ARENA_ALIGN - 1) & ~(size_t)(FA_ARENA_ALIGN - 1);
    fa_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > FA_ARENA_CHUNK ? size : FA_ARENA_CHUNK;
        c = fa_xrealloc(NULL, sizeof(fa_chunk) + cap);
        c->size = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *fa_arena_strndup(fa_arena *a, const char *s, size_t n)
{
    char *p = fa_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void fa_buf_vprintf(fa_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        b->data = fa_xrealloc(b->data, cap);
        b->cap = cap;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void fa_buf_printf(fa_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void fa_buf_puts(fa_buf *b, const char *s)
{
    fa_buf_printf(b, "%s", s);
}

char *fa_buf_take(fa_buf *b)
{
    char *s = b->data;
    if (!s)
        s = fa_xcalloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void fa_buf_free(fa_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

uint64_t fa_hash64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

char *fa_read_file(const char *path, size_t max, size_t *size)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); it
     * changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int err = fstat(fd, &st) ? errno
              : S_ISDIR(st.st_mode) ? EISDIR
              : !S_ISREG(st.st_mode) ? FA_ENOTREG
              : (uintmax_t)st.st_size > max ? EFBIG : 0;
    /* read to the end rather than trust st_size (the file may change meanwhile), never
     * past max bytes: one more byte read than that is EFBIG */
    size_t n = 0, cap = err ? 0 : (size_t)st.st_size + 2;
    char *s = err ? NULL : malloc(cap);
    if (!err && !s)
        err = ENOMEM;
    while (!err) {
        ssize_t got = read(fd, s + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            err = got < 0 ? errno : 0;
            break;
        }
        n += (size_t)got;
        if (n > max)
            err = EFBIG;
        else if (n == cap - 1) { /* grown meanwhile: double, up to max bytes and the NUL (no wrap) */
            const size_t doubled = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            const size_t top = max > SIZE_MAX - 2 ? SIZE_MAX : max + 2;
            char *t = realloc(s, cap = doubled < top ? doubled : top);
            if (!t)
                err = ENOMEM;
            else
                s = t;
        }
    }
    close(fd);
    if (err) {
        free(s);
        errno = err;
        return NULL;
    }
    s[n] = '\0';
    if (size)
        *size = n;
    return s;
}

const char *fa_read_strerror(int err)
{
    return err == FA_ENOTREG ? "not a regular file (a pipe, socket or device)" : strerror(err);
}

bool fa_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool fa_source_nul(const char *s, size_t n, int *line, int *col)
{
    const char *nul = memchr(s, '\0', n);
    if (!nul)
        return false;
    *line = 1, *col = 1;
    for (const char *c = s; c < nul; c++)
        if (*c == '\n')
            ++*line, *col = 1;
        else
            ++*col;
    return true;
}
