/* url_record: the URL record while the basic URL parser fills it (struct
 * url_rec): its parts, what a relative reference copies from its base, and
 * the path's segments: appending, shortening, what counts as "." and "..",
 * and Windows drive letters for file: URLs. */
#include <string.h>

#include "core/internal.h"
#include "url/url_int.h"

/* ---- schemes ---- */

static const struct {
	const char *name;
	int port;
} special_schemes[] = {
	{ "ftp", 21 }, { "file", -1 }, { "http", 80 }, { "https", 443 },
	{ "ws", 80 }, { "wss", 443 },
};

int
url_scheme_special(const char *s, size_t len, int *port)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(special_schemes); i++) {
		if (strlen(special_schemes[i].name) == len &&
		    memcmp(special_schemes[i].name, s, len) == 0) {
			if (port)
				*port = special_schemes[i].port;
			return 1;
		}
	}
	if (port)
		*port = -1;
	return 0;
}

/* ---- the record ---- */

void
url_rec_init(struct url_rec *r)
{
	static const nk_buf empty = NK_BUF_INIT(URL_MAX_OUTPUT);

	memset(r, 0, sizeof *r);
	r->scheme = r->user = r->pass = r->host = empty;
	r->path = r->query = r->frag = empty;
	r->port = -1;
	r->default_port = -1;
	r->host_kind = NK_URL_HOST_NONE;
}

void
url_rec_free(struct url_rec *r)
{
	nk_buf_free(&r->scheme);
	nk_buf_free(&r->user);
	nk_buf_free(&r->pass);
	nk_buf_free(&r->host);
	nk_buf_free(&r->path);
	nk_buf_free(&r->query);
	nk_buf_free(&r->frag);
}

/* Replaces b's bytes. An empty string allocates nothing: most parts of
 * most URLs are empty. */
int
url_set_buf(nk_buf *b, const char *s, size_t n)
{
	nk_buf_clear(b);
	return n ? url_add(b, s, n) : 0;
}

int
url_set_str(nk_buf *b, const char *s)
{
	return url_set_buf(b, s, strlen(s));
}

int
url_rec_is_file(const struct url_rec *r)
{
	return r->scheme.len == 4 && memcmp(r->scheme.p, "file", 4) == 0;
}

int
url_base_is_file(const nk_url *b)
{
	return b && strcmp(url_str(b, S_SCHEME), "file") == 0;
}

/* A Windows drive letter: an ASCII letter then ':' or '|'. */
int
url_is_drive(const char *s, size_t n)
{
	return n == 2 && url_is_alpha((unsigned char)s[0]) &&
	       (s[1] == ':' || s[1] == '|');
}

int
url_is_normalized_drive(const char *s, size_t n)
{
	return n == 2 && url_is_alpha((unsigned char)s[0]) && s[1] == ':';
}

/* "Starts with a Windows drive letter": a drive letter, then the end or
 * one of / \ ? #. */
int
url_starts_with_drive(const char *s, size_t n)
{
	return n >= 2 && url_is_drive(s, 2) &&
	       (n == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' ||
	        s[2] == '#');
}

/* The first path segment. */
const char *
url_first_segment(const char *path, size_t len, size_t *n)
{
	const char *s = path + 1, *e = memchr(s, '/', len - 1);
	*n = e ? (size_t)(e - s) : len - 1;
	return s;
}

int
url_path_append(struct url_rec *r, const char *seg, size_t n)
{
	if (url_addc(&r->path, '/') || url_add(&r->path, seg, n))
		return -1;
	r->nseg++;
	return 0;
}

/* "Shorten a URL's path". */
void
url_path_shorten(struct url_rec *r)
{
	size_t n;
	if (r->nseg == 0)
		return;
	if (r->nseg == 1 && url_rec_is_file(r)) {
		const char *s = url_first_segment(r->path.p, r->path.len, &n);
		if (url_is_normalized_drive(s, n))
			return;
	}
	/* The last segment and the '/' before it. */
	const char *slash = memrchr(r->path.p, '/', r->path.len);
	nk_buf_cut(&r->path, r->path.len - (size_t)(slash - r->path.p));
	r->nseg--;
}

int
url_is_single_dot(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') ||
	       (n == 3 && s[0] == '%' && s[1] == '2' && (s[2] | 0x20) == 'e');
}

int
url_is_double_dot(const char *s, size_t n)
{
	if (n == 2)
		return s[0] == '.' && s[1] == '.';
	if (n == 4)
		return (s[0] == '.' && url_is_single_dot(s + 1, 3)) ||
		       (url_is_single_dot(s, 3) && s[3] == '.');
	if (n == 6)
		return url_is_single_dot(s, 3) && url_is_single_dot(s + 3, 3);
	return 0;
}

/* Copies the base's fields that relative references inherit. */
int
url_copy_authority(struct url_rec *r, const nk_url *b)
{
	r->host_kind = b->host_kind;
	r->port = b->port;
	return url_set_str(&r->user, url_str(b, S_USERNAME)) ||
	       url_set_str(&r->pass, url_str(b, S_PASSWORD)) ||
	       url_set_str(&r->host, url_str(b, S_HOSTNAME));
}

int
url_copy_path(struct url_rec *r, const nk_url *b)
{
	r->opaque_path = b->opaque_path;
	r->nseg = b->nseg;
	return url_set_str(&r->path, url_str(b, S_PATHNAME));
}

int
url_copy_query(struct url_rec *r, const nk_url *b)
{
	r->has_query = b->has_query;
	return url_set_str(&r->query, url_str(b, S_QUERY));
}

int
url_set_scheme(struct url_rec *r, const char *s, size_t n)
{
	if (url_set_buf(&r->scheme, s, n))
		return -1;
	r->special = url_scheme_special(s, n, &r->default_port);
	return 0;
}

