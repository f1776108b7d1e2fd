/* The plan of an nk-http run: the URL list (--url @FILE, URL globbing
 * into one transfer each, with its -o name, -T file and %{urlnum}), the
 * config files' host sections, and the cfg's lifetime. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tool.h"
#include "glob.h"
#include "hosts.h"
#include "lines.h"
#include "cfg.h"

void
cfg_free(struct cfg *c)
{
	char msg[NK_ERR_MSG_LEN];
	/* Here, so that every way out writes -c's file, as curl does. */
	if (cookies_close(&c->ck, msg) && !(c->silent && !c->show_error))
		tool_msg("warning: failed to save cookies: %s", msg);
	data_free(&c->data);
	netrc_free(&c->netrc);
	for (size_t i = 0; i < c->owned.n; i++)
		free((char *)c->owned.v[i]);
	strv_free(&c->owned);
	strv_free(&c->urls);
	strv_free(&c->listed);
	free(c->urlnum);
	strv_free(&c->outputs);
	strv_free(&c->headers);
	strv_free(&c->proxy_headers);
	strv_free(&c->uploads);
	netargs_free(&c->na);
	vars_free(&c->vars);
	for (size_t i = 0; i < c->nsecs; i++) {
		cfg_free(c->secs[i].cfg);
		free(c->secs[i].cfg);
		strv_free(&c->secs[i].headers);
		nk_fetch_free(c->secs[i].f);
	}
	free(c->secs);
}

/* ---- host sections ------------------------------------------------- */

struct cfg *
section_get(struct cfg *c, const char *name)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (strcasecmp(c->secs[i].name, name) == 0)
			return c->secs[i].cfg;
	struct host_sec *s = realloc(c->secs, (c->nsecs + 1) * sizeof *s);
	struct cfg *sc = calloc(1, sizeof *sc);
	if (s)
		c->secs = s;
	if (!s || !sc)
		exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	s = &c->secs[c->nsecs++];
	memset(s, 0, sizeof *s);
	s->name = name;
	s->cfg = sc;
	sc->in_section = 1;
	return sc;
}

/* Once every option is read: each section's headers follow the global
 * ones, and its TLS settings overlay theirs. */
static void
sections_finish(struct cfg *c)
{
	for (size_t i = 0; i < c->nsecs; i++) {
		struct host_sec *s = &c->secs[i];
		for (size_t k = 0; k < c->headers.n; k++)
			strv_add(&s->headers, c->headers.v[k]);
		for (size_t k = 0; k < s->cfg->headers.n; k++)
			strv_add(&s->headers, s->cfg->headers.v[k]);
		s->has_tls = hosts_tls_overlay(&s->tls, &c->na.tls,
		                               &s->cfg->na.tls);
	}
}

int
sections_tls(const struct cfg *c)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (c->secs[i].has_tls)
			return 1;
	return 0;
}

const struct host_sec *
section_for(const struct cfg *c, size_t i)
{
	for (size_t k = 0; k < c->nsecs; k++)
		if (hosts_match(c->secs[k].name, c->urls.v[i], c->default_scheme))
			return &c->secs[k];
	return NULL;
}

/* ---- the URL list -------------------------------------------------- */

/* --url @FILE (curl 8.13): one URL a line, # starting a comment line. */
static int
url_line(void *ctx, char *line, size_t len, size_t lineno)
{
	struct cfg *c = ctx;
	(void)lineno;
	if (len == 0 || line[0] == '#')
		return 0;
	char *u = strdup(line);
	if (!u)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	strv_add(&c->owned, u);
	strv_add(&c->urls, u);
	strv_add(&c->listed, OUT_REMOTE);
	return 0;
}

int
urls_from_file(struct cfg *c, const char *path)
{
	return lines_read(path, "URLs", url_line, c);
}

/* What URL argument j becomes: its URLs, their -o names (#N filled in)
 * and -T files, and for each the argument's index. */
struct expansion {
	struct strv urls, outs, ups;
	size_t *num;
};

/* Adds transfer k of argument j's glob g (NULL: the argument as it is)
 * to x. Returns 0 or NK_ERR_OUT_OF_MEMORY. */
static int
add_transfer(struct cfg *c, size_t j, const struct glob *g, size_t k,
             const char *o, struct expansion *x)
{
	/* An -O name comes from the URL later; an -o name may use #N. */
	int named = o && o != OUT_REMOTE;
	char *gu = g ? glob_url(g, k) : NULL;
	char *go = g && named ? glob_name(g, k, o) : NULL;
	if (g && (!gu || (named && !go))) {
		free(gu);
		free(go);
		return NK_ERR_OUT_OF_MEMORY;
	}
	if (gu)
		strv_add(&c->owned, gu);
	if (go)
		strv_add(&c->owned, go);
	x->num[x->urls.n] = j;
	strv_add(&x->urls, gu ? gu : c->urls.v[j]);
	strv_add(&x->outs, go ? go : o);
	if (j < c->uploads.n)
		strv_add(&x->ups, c->uploads.v[j]);
	return 0;
}

/* URL argument j as globbed URLs; urlnum stays j, as curl's %{urlnum}. */
static int
expand_one(struct cfg *c, size_t j, struct expansion *x, char *errmsg)
{
	const char *o = j < c->outputs.n ? c->outputs.v[j]
	                : c->listed.v[j] ? OUT_REMOTE : NULL;
	struct glob *g = NULL;
	if (!c->globoff && !c->listed.v[j]) {
		int e = glob_parse(c->urls.v[j], &g, errmsg, NK_ERR_MSG_LEN);
		if (e)
			return e;
	}
	size_t n = g ? glob_count(g) : 1;
	int e = 0;
	if (n > GLOB_MAX_URLS - x->urls.n) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "more than %d URLs on one "
		         "command line", GLOB_MAX_URLS);
		e = NK_ERR_URL_MALFORMAT;
	} else {
		size_t *num = realloc(x->num, (x->urls.n + n) * sizeof *num);
		if (!num)
			e = NK_ERR_OUT_OF_MEMORY;
		else
			x->num = num;
	}
	for (size_t k = 0; k < n && !e; k++)
		e = add_transfer(c, j, g, k, o, x);
	glob_free(g);
	return e;
}

/* Every URL argument globbed, before any traffic: a bad pattern or too
 * many URLs stops the run with nothing sent. */
static int
expand_urls(struct cfg *c)
{
	struct expansion x;
	memset(&x, 0, sizeof x);
	char errmsg[NK_ERR_MSG_LEN] = "out of memory";
	int e = 0;
	for (size_t j = 0; j < c->urls.n && !e; j++)
		e = expand_one(c, j, &x, errmsg);
	/* As curl, -s keeps even this quiet. */
	if (e && (!c->silent || c->show_error))
		tool_fail((nk_err)e, errmsg);
	/* -o names past the last URL were never used: dropped. */
	strv_free(&c->urls);
	strv_free(&c->outputs);
	strv_free(&c->uploads);
	c->urls = x.urls;
	c->outputs = x.outs;
	c->uploads = x.ups;
	c->urlnum = x.num;
	return e;
}

/* ---- once every option is read ------------------------------------ */

int
plan_finish(struct cfg *c, const char *name)
{
	char errmsg[NK_ERR_MSG_LEN];
	if (c->urls.n == 0) {
		tool_msg("no URL given (see nk %s --help)", name);
		return NK_ERR_FAILED_INIT;
	}
	nk_err e = expand_urls(c);
	if (e)
		return e;
	for (size_t i = 0; c->resume == 1 && i < c->urls.n; i++)
		if ((i >= c->outputs.n || !c->outputs.v[i]) && !c->remote_all) {
			tool_msg("-C - needs an output file (-o or -O) to know "
			         "where to resume");
			return NK_ERR_FAILED_INIT;
		}
	e = data_finish(&c->data, c->urls.v, c->urls.n, c->headers.v,
	                &c->headers.n, &c->body, errmsg);
	if (e)
		return cfg_data_error(e, errmsg);
	for (size_t i = 0; i < c->data.nheaders; i++)
		strv_add(&c->headers, c->data.headers[i]);
	e = netrc_finish(&c->netrc, errmsg);
	if (e)
		return tool_fail(e, errmsg);
	e = netargs_finish(&c->na);
	if (!e)
		sections_finish(c);
	return e;
}
