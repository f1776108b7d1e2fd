/* proxy: curl's proxy specifications and NO_PROXY lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <arpa/inet.h>

#include "nk/url.h"
#include "net/proxy_int.h"
#include "core/internal.h"

void
nk_proxy_clear(struct nk_proxy *p)
{
	free(p->host);
	free(p->userpass);
	free(p->user);
	free(p->pass);
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

/* The proxy kinds by scheme, curl's names. */
static int
proxy_kind(const char *scheme, nk_socks_kind *k)
{
	static const struct {
		const char *name;
		nk_socks_kind kind;
	} kinds[] = {
		{ "http", 0 }, { "https", 0 }, { "socks4", NK_SOCKS4 }, { "socks4a", NK_SOCKS4A },
		{ "socks5", NK_SOCKS5 }, { "socks5h", NK_SOCKS5H },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(scheme, kinds[i].name) == 0) {
			*k = kinds[i].kind;
			return 1;
		}
	return 0;
}

/* s[0..n) with %XX escapes decoded, as curl decodes --proxy-user. */
static char *
pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], '\0' };
			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The credentials: the proxy URL's, else --proxy-user's. */
static int
proxy_creds(const nk_url *u, const char *userpass, struct nk_proxy *p)
{
	if (*nk_url_get(u, NK_URL_USERNAME) || *nk_url_get(u, NK_URL_PASSWORD)) {
		p->user = nk_url_decode(u, NK_URL_USERNAME, NULL);
		p->pass = nk_url_decode(u, NK_URL_PASSWORD, NULL);
	} else if (userpass) {
		const char *colon = strchr(userpass, ':');
		size_t ul = colon ? (size_t)(colon - userpass) : strlen(userpass);
		p->user = pct_decode(userpass, ul);
		p->pass = colon ? pct_decode(colon + 1, strlen(colon + 1))
		          : strdup("");
	} else {
		return 1;
	}
	if (!p->user || !p->pass)
		return 0;
	size_t n = strlen(p->user) + strlen(p->pass) + 2;
	p->userpass = malloc(n);
	if (p->userpass)
		snprintf(p->userpass, n, "%s:%s", p->user, p->pass);
	return p->userpass != NULL;
}

nk_err
nk_proxy_parse(const char *spec, const char *userpass, struct nk_proxy *p,
               char *errmsg)
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
	if (!proxy_kind(nk_url_scheme(u), &p->socks)) {
		/* As curl: an unusable proxy is a failure to connect. */
		e = nk_fail(errmsg, NK_ERR_COULDNT_CONNECT, "unsupported proxy "
		            "scheme \"%s\" in \"%.100s\": http, https, socks4, "
		            "socks4a, socks5 or socks5h", nk_url_scheme(u), spec);
		nk_url_free(u);
		return e;
	}
	const char *host = nk_url_connect_host(u);
	if (!*host) {
		nk_url_free(u);
		return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_PROXY,
		               "bad proxy \"%.100s\": no host", spec);
	}
	/* curl's default proxy port, 1080 (443 for an HTTPS proxy), when the
	 * proxy URL names none (the parser drops an explicit :80 as http's
	 * default). */
	p->tls = strcmp(nk_url_scheme(u), "https") == 0;
	p->port = explicit_port(spec) ? nk_url_port(u) : p->tls ? 443 : 1080;
	p->host = strdup(host);
	size_t n = strlen(nk_url_get(u, NK_URL_HOSTNAME)) + 8;
	p->display = malloc(n);
	if (p->display)
		snprintf(p->display, n, "%s:%d", nk_url_get(u, NK_URL_HOSTNAME),
		         p->port);
	int ok = proxy_creds(u, userpass, p);
	nk_url_free(u);
	if (!ok || !p->host || !p->display) {
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

