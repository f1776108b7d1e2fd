/* The values of nk-http's options that take more than storing: checked
 * before any traffic (a header, a method, a size, an offset), read from
 * a file (-H @FILE) or rewritten (-u USER, -e URL;auto). Each prints its
 * own message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nk/http.h"
#include "tool.h"
#include "lines.h"
#include "cfg.h"

/* A header line from the command line, checked before any traffic: the
 * name a token, no CR, LF, NUL or other control byte in the value. */
static int
check_header(const char *h)
{
	const char *sep = strpbrk(h, ":;");
	if (!sep || !nk_http_is_token(h, (size_t)(sep - h))) {
		tool_msg("bad header '%s': want 'Name: value' with a token "
		         "as the name", h);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)sep; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			tool_msg("bad header '%.*s...': control character \\x%02x "
			         "in its value", (int)(sep - h), h, *p);
			return -1;
		}
	return 0;
}

int
cfg_set_bearer(struct cfg *c, const char *arg)
{
	for (const unsigned char *p = (const unsigned char *)arg; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			tool_msg("bad --oauth2-bearer token: control character "
			         "\\x%02x in it", *p);
			return NK_ERR_FAILED_INIT;
		}
	c->auth |= NK_FETCH_AUTH_BEARER;
	c->bearer = arg;
	return 0;
}

/* -H @FILE: one header per line, kept for the whole run (in dst: -H's
 * or --proxy-header's list). */
struct header_file {
	struct cfg *c;
	const char *path;
	struct strv *dst;
};

static int
header_line(void *ctx, char *line, size_t len, size_t lineno)
{
	const struct header_file *hf = ctx;
	struct cfg *c = hf->c;
	/* A NUL would cut the header short without a word. */
	if (memchr(line, '\0', len)) {
		tool_msg("bad header in %s line %zu: a NUL byte", hf->path,
		         lineno);
		return NK_ERR_FAILED_INIT;
	}
	if (len == 0)
		return 0;
	if (check_header(line) != 0)
		return NK_ERR_FAILED_INIT;
	char *h = strdup(line);
	if (!h)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	strv_add(&c->owned, h);
	strv_add(hf->dst, h);
	return 0;
}

/* A header line, or @FILE's lines, into dst. */
static int
add_header(struct cfg *c, struct strv *dst, const char *arg)
{
	if (arg[0] == '@') {
		struct header_file hf = { c, arg + 1, dst };
		return lines_read(hf.path, "headers", header_line, &hf);
	}
	if (check_header(arg) != 0)
		return NK_ERR_FAILED_INIT;
	strv_add(dst, arg);
	return 0;
}

int
cfg_set_header(struct cfg *c, const char *arg)
{
	return add_header(c, &c->headers, arg);
}

int
cfg_set_proxy_header(struct cfg *c, const char *arg)
{
	return add_header(c, &c->proxy_headers, arg);
}

void
cfg_set_socks(struct cfg *c, const char *scheme, const char *arg)
{
	c->proxy = arg;
	c->proxy_set = 1;
	if (strstr(arg, "://"))
		return;
	size_t n = strlen(scheme) + strlen(arg) + 4;
	char *p = malloc(n);
	if (!p)
		exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	snprintf(p, n, "%s://%s", scheme, arg);
	strv_add(&c->owned, p);
	c->proxy = p;
}

int
cfg_set_method(struct cfg *c, const char *arg)
{
	if (!nk_http_is_token(arg, strlen(arg))) {
		tool_msg("bad method '%s': it must be a token (letters, "
		         "digits, !#$%%&'*+-.^_`|~)", arg);
		return NK_ERR_FAILED_INIT;
	}
	c->method = arg;
	return 0;
}

void
cfg_set_referer(struct cfg *c, const char *arg)
{
	const char *semi = strstr(arg, ";auto");
	if (!semi || semi[5] != '\0') {
		c->referer = arg;
		return;
	}
	c->auto_referer = 1;
	char *r = semi == arg ? NULL : strndup(arg, (size_t)(semi - arg));
	if (r)
		strv_add(&c->owned, r);
	c->referer = r;
}

int
cfg_set_user(struct cfg *c, const char *arg)
{
	c->user = arg;
	/* No password: curl would prompt; nk never reads the terminal
	 * behind a script's back and sends an empty one. */
	if (!strchr(arg, ':')) {
		size_t n = strlen(arg) + 2;
		char *u = malloc(n);
		if (!u)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		snprintf(u, n, "%s:", arg);
		strv_add(&c->owned, u);
		c->user = u;
	}
	return 0;
}

int
cfg_set_continue_at(struct cfg *c, const char *arg)
{
	if (strcmp(arg, "-") == 0) {
		c->resume = 1;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < 0) {
		tool_msg("-C takes an offset in bytes or -, not '%s'", arg);
		return NK_ERR_FAILED_INIT;
	}
	c->resume = 2;
	c->resume_offset = v;
	return 0;
}

/* A size as curl 8 takes it: a number with an optional fraction and an
 * optional unit, b (bytes), k, M, G or T (powers of 1024), in either
 * case: "2000", "1.5k", "0.5M". The fraction of a byte is dropped. */
int
cfg_parse_size(const char *s, int64_t *out)
{
	const char *p = s;
	uint64_t whole = 0, frac = 0, scale = 1;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		/* Nine digits are more than any unit can tell apart. */
		for (; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
	}
	int shift = 0;
	switch (*p) {
	case 'b': case 'B': p++; break;
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case 't': case 'T': shift = 40; p++; break;
	}
	if (*p || whole > ((uint64_t)INT64_MAX >> shift))
		return -1;
	uint64_t v = (whole << shift) + ((frac << shift) / scale);
	if (v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
cfg_set_max_filesize(struct cfg *c, const char *arg)
{
	if (cfg_parse_size(arg, &c->max_filesize)) {
		tool_msg("--max-filesize takes a number of bytes (fractions and "
		         "k, M, G or T allowed), not '%s'", arg);
		return NK_ERR_FAILED_INIT;
	}
	return 0;
}

int
cfg_set_limit_rate(struct cfg *c, const char *arg)
{
	if (cfg_parse_size(arg, &c->limit_rate)) {
		tool_msg("--limit-rate takes bytes a second (fractions and k, M, "
		         "G or T allowed), not '%s'", arg);
		return NK_ERR_FAILED_INIT;
	}
	return 0;
}

int
cfg_data_error(nk_err e, const char *errmsg)
{
	if (e != NK_ERR_FAILED_INIT)
		return tool_fail(e, errmsg);
	tool_msg("%s", errmsg);
	return e;
}

int
cfg_check_pem(const char *name, const char *arg)
{
	if (strcasecmp(arg, "PEM") == 0)
		return 0;
	tool_msg("%s %s: not supported, nk reads PEM only", name, arg);
	return NK_ERR_SSL_CERTPROBLEM;
}
