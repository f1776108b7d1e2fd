/* url_api: the URL API of include/nk/url.h: the parse entries (clean the
 * input, run the basic URL parser, make the nk_url), the getters, and
 * percent-decoding a part. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "url/url_int.h"

static nk_err parse_internal(const char *in, size_t len, const nk_url *base,
                             int depth, nk_url **out, char *errmsg);

/* A blob: URL's origin is its path's, parsed as a URL, when that is an
 * http: or https: URL (one level only: depth). *origin is NULL for every
 * other URL; *inner holds the string, for the caller to free. */
static nk_err
blob_origin(const struct url_rec *r, int depth, nk_url **inner,
            const char **origin)
{
	*inner = NULL;
	*origin = NULL;
	if (depth != 0 || strcmp(nk_buf_str(&r->scheme), "blob") != 0)
		return NK_OK;
	nk_err err = parse_internal(nk_buf_str(&r->path), r->path.len, NULL, 1,
	                            inner, NULL);
	if (err == NK_ERR_OUT_OF_MEMORY)
		return err;
	if (err == NK_OK && *inner &&
	    (strcmp(url_str(*inner, S_SCHEME), "http") == 0 ||
	     strcmp(url_str(*inner, S_SCHEME), "https") == 0))
		*origin = url_str(*inner, S_ORIGIN);
	return NK_OK;
}

static nk_err
parse_internal(const char *in, size_t len, const nk_url *base, int depth,
               nk_url **out, char *errmsg)
{
	nk_buf clean = NK_BUF_INIT(URL_MAX_OUTPUT);
	struct url_rec r;
	struct url_parse_err e = { 0 };
	nk_url *inner = NULL;
	const char *origin;
	nk_err err;

	if (!in && len > 0)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL input");
	if (len > NK_URL_MAX_INPUT) {
		size_t pos = 1;
		for (size_t i = 0; i < NK_URL_MAX_INPUT; i++)
			pos += ((unsigned char)in[i] & 0xC0) != 0x80;
		return nk_fail(errmsg, NK_ERR_URL_MALFORMAT,
		               "URL longer than %d bytes at position %zu",
		               NK_URL_MAX_INPUT, pos);
	}
	url_rec_init(&r);
	if (url_clean_input(in ? in : "", len, &clean)) {
		err = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto done;
	}
	if (url_basic_parse(nk_buf_str(&clean), clean.len, base, &r, &e)) {
		if (e.nomem)
			err = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		else
			err = nk_fail(errmsg, NK_ERR_URL_MALFORMAT,
			              "%s at position %zu", e.reason,
			              url_raw_position(in, len, e.at));
		goto done;
	}
	err = blob_origin(&r, depth, &inner, &origin);
	if (!err)
		err = url_freeze(&r, origin, out);
	if (err)
		nk_fail(errmsg, err, "out of memory");
done:
	nk_url_free(inner);
	nk_buf_free(&clean);
	url_rec_free(&r);
	return err;
}

nk_err
nk_url_parse_buf(const char *input, size_t len, const nk_url *base,
                 nk_url **out, char *errmsg)
{
	if (!out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "NULL out");
	return parse_internal(input, len, base, 0, out, errmsg);
}

nk_err
nk_url_parse(const char *input, const char *base, nk_url **out, char *errmsg)
{
	nk_url *b = NULL;
	nk_err err;

	if (!input || !out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL or out");
	if (base) {
		char msg[NK_ERR_MSG_LEN];
		err = nk_url_parse_buf(base, strlen(base), NULL, &b, msg);
		if (err)
			return nk_fail(errmsg, err, "base URL: %s", msg);
	}
	err = nk_url_parse_buf(input, strlen(input), b, out, errmsg);
	nk_url_free(b);
	return err;
}

nk_err
nk_url_resolve(const nk_url *base, const char *ref, nk_url **out,
               char *errmsg)
{
	if (!ref)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "NULL ref");
	return nk_url_parse_buf(ref, strlen(ref), base, out, errmsg);
}

size_t
nk_url_has_scheme(const char *input)
{
	if (!input)
		return 0;
	/* The parser strips leading C0 controls and spaces first. */
	size_t i = 0;
	while (input[i] && (unsigned char)input[i] <= 0x20)
		i++;
	if (!url_is_alpha((unsigned char)input[i]))
		return 0;
	char low[8];
	size_t n = 0;
	for (; input[i] != ':'; i++, n++) {
		unsigned char c = (unsigned char)input[i];
		if (!url_is_alpha(c) && !url_is_digit(c) && c != '+' && c != '-' &&
		    c != '.')
			return 0;
		if (n < sizeof low)
			low[n] = (char)(c | 0x20);
	}
	/* "localhost:8080" also parses as a URL (scheme "localhost"), but a
	 * person typing it means a host and a port: only a special scheme,
	 * or another followed by "//", is a scheme here. A special scheme
	 * needs no slashes at all, as the parser sees "http:/h" and "http:h". */
	int special = n <= sizeof low && url_scheme_special(low, n, NULL);
	if (special || strncmp(input + i + 1, "//", 2) == 0)
		return i + 1;
	return 0;
}

nk_err
nk_url_parse_default_scheme(const char *input, const char *scheme,
                            nk_url **out, char *errmsg)
{
	if (!input || !scheme || !out)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "NULL URL, scheme or out");
	if (nk_url_has_scheme(input))
		return nk_url_parse(input, NULL, out, errmsg);
	size_t pre = strlen(scheme) + 3, il = strlen(input);
	if (il > NK_URL_MAX_INPUT)
		return nk_url_parse_buf(input, il, NULL, out, errmsg);
	char *full = malloc(pre + il + 1);
	if (!full)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	snprintf(full, pre + il + 1, "%s://%s", scheme, input);
	char msg[NK_ERR_MSG_LEN];
	nk_err e = nk_url_parse_buf(full, pre + il, NULL, out, msg);
	free(full);
	if (e != NK_ERR_URL_MALFORMAT)
		return e ? nk_fail(errmsg, e, "%s", msg) : NK_OK;
	/* Positions count in what the caller gave, not in the added prefix. */
	static const char tag[] = " at position ";
	const char *at = strstr(msg, tag);
	char *end = NULL;
	unsigned long pos = at ? strtoul(at + sizeof tag - 1, &end, 10) : 0;
	if (at && end && *end == '\0' && pos > pre)
		return nk_fail(errmsg, e, "%.*s at position %lu", (int)(at - msg),
		               msg, pos - pre);
	return nk_fail(errmsg, e, "%s", msg);
}

nk_url *
nk_url_dup(const nk_url *u)
{
	nk_url *d;

	if (!u || !(d = malloc(sizeof *d + u->memlen)))
		return NULL;
	memcpy(d, u, sizeof *d + u->memlen);
	return d;
}

void
nk_url_free(nk_url *u)
{
	free(u);
}

const char *
nk_url_get(const nk_url *u, nk_url_part part)
{
	static const int map[] = {
		[NK_URL_HREF] = S_HREF, [NK_URL_ORIGIN] = S_ORIGIN,
		[NK_URL_PROTOCOL] = S_PROTOCOL, [NK_URL_USERNAME] = S_USERNAME,
		[NK_URL_PASSWORD] = S_PASSWORD, [NK_URL_HOST] = S_HOST,
		[NK_URL_HOSTNAME] = S_HOSTNAME, [NK_URL_PORT] = S_PORT,
		[NK_URL_PATHNAME] = S_PATHNAME, [NK_URL_SEARCH] = S_SEARCH,
		[NK_URL_HASH] = S_HASH,
	};
	if (!u || (unsigned)part >= NK_ARRAY_LEN(map))
		return "";
	return url_str(u, map[part]);
}

const char *
nk_url_scheme(const nk_url *u)
{
	return u ? url_str(u, S_SCHEME) : "";
}

int
nk_url_is_special(const nk_url *u)
{
	return u ? u->special : 0;
}

int
nk_url_port(const nk_url *u)
{
	if (!u)
		return -1;
	return u->port >= 0 ? u->port : u->default_port;
}

int
nk_url_default_port(const nk_url *u)
{
	return u ? u->default_port : -1;
}

nk_url_host_kind
nk_url_host_kind_of(const nk_url *u)
{
	return u ? u->host_kind : NK_URL_HOST_NONE;
}

const char *
nk_url_connect_host(const nk_url *u)
{
	return u ? url_str(u, S_CONNECT) : "";
}

const char *
nk_url_target(const nk_url *u)
{
	return u ? url_str(u, S_TARGET) : "/";
}

char *
nk_url_decode(const nk_url *u, nk_url_part part, size_t *len)
{
	const char *s = nk_url_get(u, part);
	nk_buf d = NK_BUF_INIT(0);

	url_percent_decode(s, strlen(s), &d);
	size_t n = d.len;
	char *p = nk_buf_take(&d);
	if (p && len)
		*len = n;
	return p;
}
