/* A group of nk-http's options (--next) around its transfers: the
 * fetcher's settings (network, TLS, proxies from the options or the
 * environment), the set-up before the first transfer (cookie files, the
 * fetcher, -D's file, --pipeline's requests) and the end after the last
 * (-D closed, stdout flushed). main.c runs the groups one after the
 * other, par.c (-Z) all at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/fetch.h"
#include "tool.h"
#include "http.h"
#include "cfg.h"

/* An environment variable, in lower case or else (when upper is not NULL)
 * in upper case; NULL when unset or empty. */
static const char *
env2(const char *lower, const char *upper)
{
	const char *v = getenv(lower);
	if ((!v || !*v) && upper)
		v = getenv(upper);
	return v && *v ? v : NULL;
}

/* The fetcher's settings: the network and TLS options, and the proxy
 * settings from the command line, else the environment, as curl reads
 * them: http_proxy only in lower case (HTTP_PROXY can be set by a CGI
 * client), the others in either case. */
static void
fetch_config(const struct cfg *c, nk_fetch_config *fc)
{
	memset(fc, 0, sizeof *fc);
	fc->net = c->na.net;
	fc->tls = c->na.tls;
	fc->proxy_tls = c->proxy_tls;
	/* The proxy is checked against the same system store. */
	fc->proxy_tls.default_cafile = c->na.tls.default_cafile;
	fc->proxy_tls.default_capath = c->na.tls.default_capath;
	if (c->proxy_set) {
		fc->http_proxy = fc->https_proxy = c->proxy;
	} else {
		const char *all = env2("all_proxy", "ALL_PROXY");
		fc->http_proxy = env2("http_proxy", NULL);
		fc->https_proxy = env2("https_proxy", "HTTPS_PROXY");
		if (!fc->http_proxy)
			fc->http_proxy = all;
		if (!fc->https_proxy)
			fc->https_proxy = all;
	}
	fc->no_proxy = c->noproxy ? c->noproxy : env2("no_proxy", "NO_PROXY");
	fc->proxy_userpass = c->proxy_user;
	fc->proxy_auth = c->proxy_auth & 4 ? NK_FETCH_AUTH_BASIC |
	                 NK_FETCH_AUTH_DIGEST : c->proxy_auth & 2 ?
	                 NK_FETCH_AUTH_DIGEST : NK_FETCH_AUTH_BASIC;
	fc->proxytunnel = c->proxytunnel;
	fc->http_version = c->http_ver;
	fc->immediate = c->parallel_immediate;
	fc->proxy_headers = c->proxy_headers.v;
	fc->nproxy_headers = c->proxy_headers.n;
}

/* -D FILE ("-": stdout) in *dump, or NULL without -D. */
static int
open_dump(const struct cfg *c, FILE **dump, char *errmsg)
{
	if (!c->dump_header)
		return 0;
	*dump = strcmp(c->dump_header, "-") == 0 ? stdout
	        : fopen(c->dump_header, "w");
	if (*dump)
		return 0;
	snprintf(errmsg, NK_ERR_MSG_LEN, "cannot write %s: %s", c->dump_header,
	         strerror(errno));
	return NK_ERR_WRITE_ERROR;
}

/* --pipeline: the requests go ahead as they can. With -C - each depends
 * on its file's size, and with --etag-compare on its file's ETag, known
 * only at its turn: not pipelined. */
static int
pipeline(const struct cfg *c, nk_fetch *f, char *errmsg)
{
	if (!c->pipeline || c->resume == 1 || c->urls.n < 2 || sections_tls(c) ||
	    c->cond.etag_compare)
		return 0;
	nk_fetch_request *rqs = calloc(c->urls.n, sizeof *rqs);
	if (!rqs) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	for (size_t i = 0; i < c->urls.n; i++)
		fill_request(c, i, 0, &rqs[i]);
	int e = nk_fetch_pipeline(f, rqs, c->urls.n, errmsg);
	free(rqs);
	return e;
}

/* The fetcher for group g: an earlier group's with the same connection
 * options (so their connections are shared, as curl's are), else a new
 * one. */
static int
group_fetch(const struct cfg *root, struct cfg *g, char *errmsg)
{
	for (const struct cfg *p = root; p != g; p = p->next) {
		int same = p->own_f && p->connopts.n == g->connopts.n;
		for (size_t i = 0; same && i < g->connopts.n; i++)
			same = strcmp(p->connopts.v[i], g->connopts.v[i]) == 0;
		if (same) {
			g->f = p->f;
			return 0;
		}
	}
	nk_fetch_config fc;
	fetch_config(g, &fc);
	g->own_f = 1;
	return nk_fetch_new(&fc, &g->f, errmsg);
}

int
fetcher_new(const struct cfg *c, const struct host_sec *s, nk_fetch **f,
            char *errmsg)
{
	nk_fetch_config fc;
	fetch_config(c, &fc);
	if (s && s->has_tls)
		fc.tls = s->tls;
	return nk_fetch_new(&fc, f, errmsg);
}

int
group_start(struct cfg *root, struct cfg *c, FILE **dump)
{
	char errmsg[NK_ERR_MSG_LEN] = "";
	int e = cookies_open(&c->ck, &root->jar, errmsg);
	/* -Z's workers make fetchers of their own (par.c). */
	if (!e && !root->parallel)
		e = group_fetch(root, c, errmsg);
	if (!e)
		e = open_dump(c, dump, errmsg);
	for (size_t i = 0; i < c->nsecs && !e && !root->parallel; i++) {
		nk_fetch_config sfc;
		fetch_config(c, &sfc);
		sfc.tls = c->secs[i].tls;
		if (c->secs[i].has_tls)
			e = nk_fetch_new(&sfc, &c->secs[i].f, errmsg);
	}
	if (!e && !root->parallel)
		e = pipeline(c, c->f, errmsg);
	if (e)
		report(c, e, errmsg);
	return e;
}

int
group_end(const struct cfg *c, FILE *dump, int status)
{
	char errmsg[NK_ERR_MSG_LEN];
	if (dump && dump != stdout && fclose(dump) != 0 && !status) {
		snprintf(errmsg, sizeof errmsg, "writing to %s: %s", c->dump_header,
		         strerror(errno));
		report(c, NK_ERR_WRITE_ERROR, errmsg);
		status = NK_ERR_WRITE_ERROR;
	}
	int fe = sink_flush(errmsg);
	if (fe) {
		if (!status)
			report(c, fe, errmsg);
	} else {
		fe = tool_flush_stdout();
	}
	return status ? status : fe;
}

