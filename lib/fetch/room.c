/* room.c: the fetcher's read buffer and header array, grown as they are
 * needed. Both start small (FIRST_BUF, FIRST_HEADERS): the buffer grows
 * (to f->max, 512 KiB by default) only when a head needs it or a body
 * read fills it, the array when a head has more fields. A large
 * plain-http body is spliced to the caller's descriptor and never passes
 * through the buffer, so such a download holds 16 KiB of it, not 512. */
#include <stdlib.h>
#include <string.h>

#include "fetch/fetch_int.h"

nk_err
fetch_room(nk_fetch *f, size_t need, char *errmsg)
{
	if (need <= f->cap)
		return NK_OK;
	if (need > f->max)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "%zu bytes wanted in the "
		               "%zu byte read buffer", need, f->max);
	/* Doubling: a body that fills each read gets to f->max in a few
	 * steps, each paid once (realloc: large blocks are remapped, not
	 * copied). */
	size_t cap = f->cap * 2 > need ? f->cap * 2 : need;
	if (cap > f->max)
		cap = f->max;
	char *b = realloc(f->buf, cap);
	if (!b)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	f->buf = b;
	f->cap = cap;
	return NK_OK;
}

nk_err
fetch_more_headers(nk_fetch *f, char *errmsg)
{
	if (f->nhdrs >= NK_HTTP_MAX_HEADERS)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "more than %d response "
		               "header fields", (int)NK_HTTP_MAX_HEADERS);
	struct nk_http_header *h = realloc(f->hdrs, NK_HTTP_MAX_HEADERS *
	                                   sizeof *h);
	if (!h)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	f->hdrs = h;
	f->nhdrs = NK_HTTP_MAX_HEADERS;
	return NK_OK;
}
