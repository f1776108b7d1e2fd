/* proxy: curl's proxy specifications and NO_PROXY lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "nk/url.h"
#include "http/proxy_int.h"
#include "core/internal.h"

void
nk_proxy_clear(struct nk_proxy *p)
{
	free(p->host);
	free(p->userpass);
	free(p->display);
	memset(p, 0, sizeof *p);
}

/* Whether a URL string names a port: "host:port" after any scheme and
 * userinfo, with IPv6 in brackets. */
static int
explicit_port(const char *spec)
{
	const char *p = spec + nk_url_has_scheme(spec);
	p += strspn(p, "/\\");
	const char *end = p + strcspn(p, "/?#");
	const char *at = memchr(p, '@', (size_t)(end - p));
	while (at) {
		p = at + 1;
		at = memchr(p, '@', (size_t)(end - p));
	}
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		p = rb ? rb + 1 : end;
	}
	const char *colon = memchr(p, ':', (size_t)(end - p));
	return colon && colon + 1 < end;
}

nk_err
nk_proxy_parse(const char *spec, struct nk_proxy *p, char *errmsg)
{
	memset(p, 0, sizeof *p);
	if (!spec || !*spec)
		return NK_OK;
	nk_url *u;
	char msg[NK_ERR_MSG_LEN];
	nk_err e;
	e = nk_url_parse_default_scheme(spec, "http", &u, msg);
	if (e)
		return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_PROXY,
		               "bad proxy \"%.100s\": %s", spec, msg);
	if (strcmp(nk_url_scheme(u), "http") != 0) {
		/* As curl: an unusable proxy is a failure to connect. */
		e = nk_fail(errmsg, NK_ERR_COULDNT_CONNECT, "unsupported proxy "
		            "scheme \"%s\" in \"%.100s\": only http:// proxies",
		            nk_url_scheme(u), spec);
		nk_url_free(u);
		return e;
	}
	/* curl's default proxy port, 1080, when the proxy URL names none
	 * (the parser drops an explicit :80 as http's default). */
	p->port = explicit_port(spec) ? nk_url_port(u) : 1080;
	p->host = strdup(nk_url_connect_host(u));
	size_t n = strlen(nk_url_get(u, NK_URL_HOSTNAME)) + 8;
	p->display = malloc(n);
	if (p->display)
		snprintf(p->display, n, "%s:%d", nk_url_get(u, NK_URL_HOSTNAME),
		         p->port);
	if (*nk_url_get(u, NK_URL_USERNAME) || *nk_url_get(u, NK_URL_PASSWORD)) {
		char *user = nk_url_decode(u, NK_URL_USERNAME, NULL);
		char *pass = nk_url_decode(u, NK_URL_PASSWORD, NULL);
		if (user && pass) {
			n = strlen(user) + strlen(pass) + 2;
			p->userpass = malloc(n);
			if (p->userpass)
				snprintf(p->userpass, n, "%s:%s", user, pass);
		}
		free(user);
		free(pass);
	}
	nk_url_free(u);
	if (!p->host || !p->display) {
		nk_proxy_clear(p);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	return NK_OK;
}

/* Parses an IPv4 or IPv6 literal into 16 bytes (IPv4 mapped). */
static int
ip_bytes(const char *s, unsigned char out[16])
{
	struct in_addr a4;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 4;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
}

/* One NO_PROXY entry against a host (connect form: IPv6 unbracketed). */
static int
noproxy_entry(const char *e, size_t len, const char *host)
{
	char ent[300];
	if (len == 0 || len >= sizeof ent)
		return 0;
	memcpy(ent, e, len);
	ent[len] = '\0';
	if (strcmp(ent, "*") == 0)
		return 1;
	char *ip = ent;
	int bits = -1;
	char *slash = strchr(ent, '/');
	if (slash) {
		/* A prefix length is 1 to 3 digits: anything else ("/", "/x",
		 * "/-1") would read as /0, which matches every address. */
		const char *d = slash + 1;
		size_t nd = strspn(d, "0123456789");
		if (nd == 0 || nd > 3 || d[nd] != '\0')
			return 0;
		*slash = '\0';
		bits = (int)strtol(d, NULL, 10);
	}
	if (ip[0] == '[') {
		ip++;
		char *rb = strchr(ip, ']');
		if (rb)
			*rb = '\0';
	}
	unsigned char a[16], b[16];
	int fa = ip_bytes(ip, a), fb = ip_bytes(host, b);
	if (fa && fb) {
		if (fa != fb)
			return 0;
		int nbits = bits < 0 ? 128 : fa == 4 ? bits + 96 : bits;
		if (nbits > 128)
			nbits = 128;
		for (int i = 0; i < nbits; i++)
			if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
				return 0;
		return 1;
	}
	if (fa || fb)
		return 0;
	const char *name = ent[0] == '.' ? ent + 1 : ent;
	size_t nl = strlen(name), hl = strlen(host);
	if (hl == nl)
		return strcasecmp(host, name) == 0;
	return hl > nl && host[hl - nl - 1] == '.' &&
	       strcasecmp(host + hl - nl, name) == 0;
}

int
nk_no_proxy_for(const char *list, const char *host)
{
	if (!list)
		return 0;
	const char *p = list;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		const char *start = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		if (p > start && noproxy_entry(start, (size_t)(p - start), host))
			return 1;
	}
	return 0;
}

