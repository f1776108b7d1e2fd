/* Host sections: which URLs a section is for, and its TLS settings. */
#include <string.h>
#include <strings.h>

#include "nk/err.h"
#include "nk/url.h"
#include "hosts.h"

int
hosts_match(const char *name, const char *url, const char *default_scheme)
{
	nk_url *u;
	char errmsg[NK_ERR_MSG_LEN];
	if (nk_url_parse_default_scheme(url, default_scheme, &u, errmsg))
		return 0;
	const char *h = nk_url_get(u, NK_URL_HOSTNAME);
	size_t hl = h ? strlen(h) : 0;
	if (hl > 2 && h[0] == '[' && name[0] != '[') {
		h++;
		hl -= 2;
	}
	int m = h && strlen(name) == hl && strncasecmp(h, name, hl) == 0;
	nk_url_free(u);
	return m;
}

int
hosts_tls_overlay(nk_tls_config *out, const nk_tls_config *base,
                  const nk_tls_config *over)
{
	*out = *base;
	int any = 0;
	if (over->cafile || over->capath) {
		out->cafile = over->cafile;
		out->capath = over->capath;
		any = 1;
	}
	/* A key belongs to its certificate: neither comes from base alone. */
	if (over->cert || over->key) {
		out->cert = over->cert;
		out->key = over->key;
		any = 1;
	}
#define TAKE(f) do { if (over->f) { out->f = over->f; any = 1; } } while (0)
	TAKE(insecure);
	TAKE(min_version);
	TAKE(max_version);
	TAKE(pinned_pubkey);
#undef TAKE
	return any;
}
