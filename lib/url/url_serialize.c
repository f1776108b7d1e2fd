/* url_serialize: a parsed record (struct url_rec) made into an nk_url: the
 * URL serializer (href), the origin, every getter's string and the ones
 * libnk's own callers read (request target, host to connect to), all
 * computed once, into one allocation. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "url/url_int.h"

static int
add_buf(nk_buf *m, const nk_buf *b)
{
	return url_add(m, b->p, b->len);
}

/* The port's digits; nothing for a null port. */
static int
add_port(nk_buf *m, const struct url_rec *r)
{
	char port[16];
	if (r->port < 0)
		return 0;
	nk_put_uint(port, port + sizeof port, (unsigned)r->port);
	return nk_buf_adds(m, port);
}

/* "host[:port]". */
static int
add_host_port(nk_buf *m, const struct url_rec *r)
{
	int fail = add_buf(m, &r->host);
	if (r->port >= 0)
		fail |= url_addc(m, ':') | add_port(m, r);
	return fail;
}

/* The URL serializer. */
static int
add_href(nk_buf *m, const struct url_rec *r)
{
	int fail = add_buf(m, &r->scheme) | url_addc(m, ':');

	if (r->host_kind != NK_URL_HOST_NONE) {
		fail |= nk_buf_adds(m, "//");
		if (r->user.len || r->pass.len) {
			fail |= add_buf(m, &r->user);
			if (r->pass.len)
				fail |= url_addc(m, ':') | add_buf(m, &r->pass);
			fail |= url_addc(m, '@');
		}
		fail |= add_host_port(m, r);
	} else if (!r->opaque_path && r->nseg > 1 && r->path.len > 1 &&
	           r->path.p[1] == '/') {
		/* "/." keeps an empty first segment from reading as a host. */
		fail |= nk_buf_adds(m, "/.");
	}
	fail |= add_buf(m, &r->path);
	if (r->has_query)
		fail |= url_addc(m, '?') | add_buf(m, &r->query);
	if (r->has_frag)
		fail |= url_addc(m, '#') | add_buf(m, &r->frag);
	return fail;
}

/* The origin's serialization: "scheme://host[:port]" for the special
 * schemes but file, the inner URL's origin for blob: (found by the
 * caller), or "null" for opaque origins. */
static int
add_origin(nk_buf *m, const struct url_rec *r, const char *blob_origin)
{
	if (r->special && strcmp(nk_buf_str(&r->scheme), "file") != 0)
		return add_buf(m, &r->scheme) | nk_buf_adds(m, "://") |
		       add_host_port(m, r);
	return nk_buf_adds(m, blob_origin ? blob_origin : "null");
}

/* String i of the nk_url (S_*), without its NUL. */
static int
add_string(nk_buf *m, int i, const struct url_rec *r, const char *blob_origin)
{
	switch (i) {
	case S_HREF:
		return add_href(m, r);
	case S_ORIGIN:
		return add_origin(m, r, blob_origin);
	case S_PROTOCOL:
		return add_buf(m, &r->scheme) | url_addc(m, ':');
	case S_USERNAME:
		return add_buf(m, &r->user);
	case S_PASSWORD:
		return add_buf(m, &r->pass);
	case S_HOST:
		return r->host_kind != NK_URL_HOST_NONE ? add_host_port(m, r) : 0;
	case S_HOSTNAME:
		return add_buf(m, &r->host);
	case S_PORT:
		return add_port(m, r);
	case S_PATHNAME:
		return add_buf(m, &r->path);
	case S_SEARCH:
		if (!r->has_query || !r->query.len)
			return 0;
		return url_addc(m, '?') | add_buf(m, &r->query);
	case S_HASH:
		if (!r->has_frag || !r->frag.len)
			return 0;
		return url_addc(m, '#') | add_buf(m, &r->frag);
	case S_SCHEME:
		return add_buf(m, &r->scheme);
	case S_QUERY:
		return add_buf(m, &r->query);
	case S_FRAGMENT:
		return add_buf(m, &r->frag);
	case S_TARGET: {
		/* The request target: the path ("/" for none) and query. */
		int fail = r->path.len ? add_buf(m, &r->path) : url_addc(m, '/');
		if (r->has_query)
			fail |= url_addc(m, '?') | add_buf(m, &r->query);
		return fail;
	}
	case S_CONNECT:
		/* The host for getaddrinfo: an IPv6 address without brackets. */
		if (r->host_kind == NK_URL_HOST_IPV6)
			return url_add(m, r->host.p + 1, r->host.len - 2);
		return add_buf(m, &r->host);
	}
	return 0;
}

nk_err
url_freeze(const struct url_rec *r, const char *blob_origin, nk_url **out)
{
	/* Every string is appended to m in turn, NUL-separated, after room
	 * for the fields: m's block becomes the nk_url, with no copy. Room
	 * for all of them, each at most URL_MAX_OUTPUT long. */
	const size_t fields = offsetof(nk_url, mem);
	nk_buf m = NK_BUF_INIT(fields + (size_t)S_COUNT * URL_MAX_OUTPUT);
	size_t off[S_COUNT];
	int fail = 0;

	size_t parts = r->scheme.len + r->user.len + r->pass.len + r->host.len +
	               r->path.len + r->query.len + r->frag.len;
	/* href, the parts again, host and target: about four times the
	 * parts; one allocation for the usual URL. */
	static const nk_url blank;
	if (nk_buf_reserve(&m, fields + 4 * parts + 128) < 0)
		return NK_ERR_OUT_OF_MEMORY;
	fail |= url_add(&m, &blank, fields);
	for (int i = 0; i < S_COUNT; i++) {
		off[i] = m.len - fields;
		fail |= add_string(&m, i, r, blob_origin);
		fail |= url_add(&m, "", 1);
	}
	/* nk_url_dup copies sizeof (nk_url) + memlen bytes: any padding after
	 * mem must be inside the block too. */
	if (fail || nk_buf_reserve(&m, sizeof(nk_url) - fields) < 0) {
		nk_buf_free(&m);
		return NK_ERR_OUT_OF_MEMORY;
	}
	/* malloc's alignment, as the nk_url's own block would have */
	size_t memlen = m.len - fields;
	nk_url *u = (nk_url *)(void *)nk_buf_take(&m);
	if (!u)
		return NK_ERR_OUT_OF_MEMORY;
	u->memlen = memlen;
	memcpy(u->off, off, sizeof off);
	u->host_kind = r->host_kind;
	u->port = r->port;
	u->default_port = r->default_port;
	u->special = r->special;
	u->opaque_path = r->opaque_path;
	u->nseg = r->nseg;
	u->has_query = r->has_query;
	u->has_fragment = r->has_frag;
	*out = u;
	return NK_OK;
}
