/* buf: the growable, capped byte string of include/nk/buf.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/buf.h"
#include "core/internal.h"

static size_t
buf_max(const nk_buf *b)
{
	return b->max ? b->max : (size_t)-1 / 2;
}

/* Makes room for n more bytes and the NUL; sets the sticky error. */
static int
buf_room(nk_buf *b, size_t n)
{
	if (b->err)
		return -1;
	if (n > buf_max(b) - b->len || b->len > buf_max(b)) {
		b->err = NK_ERR_FILESIZE_EXCEEDED;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->err = NK_ERR_OUT_OF_MEMORY;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int
nk_buf_reserve(nk_buf *b, size_t n)
{
	return buf_room(b, n);
}

int
nk_buf_add(nk_buf *b, const void *s, size_t n)
{
	if (buf_room(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
nk_buf_addc(nk_buf *b, char c)
{
	/* Parsers add most bytes one at a time: the common case is inline. */
	if (b->len + 2 <= b->cap && b->len < buf_max(b) && !b->err) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return nk_buf_add(b, &c, 1);
}

int
nk_buf_adds(nk_buf *b, const char *s)
{
	return nk_buf_add(b, s, strlen(s));
}

int
nk_buf_vprintf(nk_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	char small[256];

	if (b->err)
		return -1;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(again);
		b->err = NK_ERR_OUT_OF_MEMORY;
		return -1;
	}
	if ((size_t)n < sizeof small) {
		va_end(again);
		return nk_buf_add(b, small, (size_t)n);
	}
	if (buf_room(b, (size_t)n) < 0) {
		va_end(again);
		return -1;
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
	va_end(again);
	b->len += (size_t)n;
	return 0;
}

int
nk_buf_printf(nk_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = nk_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *
nk_buf_str(const nk_buf *b)
{
	return b->p && b->len ? b->p : "";
}

void
nk_buf_clear(nk_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
nk_buf_cut(nk_buf *b, size_t n)
{
	b->len = n < b->len ? b->len - n : 0;
	if (b->p)
		b->p[b->len] = '\0';
}

char *
nk_buf_take(nk_buf *b)
{
	char *p = b->err ? NULL : b->p;

	if (b->err)
		free(b->p);
	else if (!p)
		p = strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
	return p;
}

void
nk_buf_free(nk_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
