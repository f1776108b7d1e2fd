/* url_u32: the growable code-point array of IDNA (url_idna.c and
 * url_punycode.c), in a file of its own so that neither depends on the
 * other for it. */
#include <stdlib.h>

#include "url/url_int.h"

int
u32_put(struct u32buf *b, uint32_t c)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		if (cap > URL_MAX_OUTPUT)
			return -1;
		uint32_t *p = realloc(b->p, cap * sizeof *p);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	return 0;
}

void
u32_free(struct u32buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
