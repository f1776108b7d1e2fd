/* The plan of an nk-http run: the option groups (--next), the URL list
 * (--url @FILE, URL and -T globbing into one transfer each, with its -o
 * name, -T file and %{urlnum}), the config files' host sections, and the
 * cfgs' lifetime. */
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
	if (c->next) {
		cfg_free(c->next);
		free(c->next);
		c->next = NULL;
	}
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
	strv_free(&c->connopts);
	free(c->wo_format);
	netargs_free(&c->na);
	vars_free(&c->vars);
	for (size_t i = 0; i < c->nsecs; i++) {
		if (!c->secs_borrowed) {
			cfg_free(c->secs[i].cfg);
			free(c->secs[i].cfg);
		}
		strv_free(&c->secs[i].headers);
		nk_fetch_free(c->secs[i].f);
	}
	free(c->secs);
	if (c->own_f)
		nk_fetch_free(c->f);
	nk_cookie_jar_free(c->jar);
}

void
group_next(struct cfg *c)
{
	struct cfg *g = c->cur ? c->cur : c;
	if (g->urls.n == 0)
		return;
	struct cfg *n = calloc(1, sizeof *n);
	if (!n)
		exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	n->default_scheme = c->default_scheme;
	g->next = n;
	c->cur = n;
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

/* URL argument j's globs: its own (url), and its -T file's (up); NULL
 * when not globbed. */
struct globs {
	struct glob *url, *up;
};

/* Adds transfer k of argument j's URL glob with its -T file's name u
 * (both 0 without a glob) to x. Returns 0 or NK_ERR_OUT_OF_MEMORY. */
static int
add_transfer(struct cfg *c, size_t j, const struct globs *gs, size_t k,
             size_t u, const char *o, struct expansion *x)
{
	/* An -O name comes from the URL later; an -o name may use #N. */
	const struct glob *g = gs->url;
	int named = OUT_NAMED(o);
	char *gu = g ? glob_url(g, k) : NULL;
	char *go = g && named ? glob_name(g, k, o) : NULL;
	char *gf = gs->up ? glob_url(gs->up, u) : NULL;
	if ((g && (!gu || (named && !go))) || (gs->up && !gf)) {
		free(gu);
		free(go);
		free(gf);
		return NK_ERR_OUT_OF_MEMORY;
	}
	if (gu)
		strv_add(&c->owned, gu);
	if (go)
		strv_add(&c->owned, go);
	if (gf)
		strv_add(&c->owned, gf);
	x->num[x->urls.n] = j;
	strv_add(&x->urls, gu ? gu : c->urls.v[j]);
	strv_add(&x->outs, go ? go : o);
	if (j < c->uploads.n)
		strv_add(&x->ups, gf ? gf : c->uploads.v[j]);
	return 0;
}

/* URL argument j (and its -T file) as globbed; the -T files change
 * slowest, as in curl. urlnum stays j, as curl's %{urlnum}. */
static int
expand_one(struct cfg *c, size_t j, struct expansion *x, char *errmsg)
{
	const char *o = j < c->outputs.n ? c->outputs.v[j]
	                : c->listed.v[j] ? OUT_REMOTE : NULL;
	struct globs gs = { NULL, NULL };
	int e = 0;
	if (!c->globoff && !c->listed.v[j])
		e = glob_parse(c->urls.v[j], &gs.url, errmsg, NK_ERR_MSG_LEN);
	if (!e && !c->globoff && j < c->uploads.n)
		e = glob_parse(c->uploads.v[j], &gs.up, errmsg, NK_ERR_MSG_LEN);
	size_t n = gs.url ? glob_count(gs.url) : 1;
	size_t nu = gs.up ? glob_count(gs.up) : 1;
	if (e) {
		/* reported below */
	} else if (n * nu > GLOB_MAX_URLS - x->urls.n) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "more than %d URLs on one "
		         "command line", GLOB_MAX_URLS);
		e = NK_ERR_URL_MALFORMAT;
	} else {
		size_t *num = realloc(x->num, (x->urls.n + n * nu) * sizeof *num);
		if (!num)
			e = NK_ERR_OUT_OF_MEMORY;
		else
			x->num = num;
	}
	for (size_t u = 0; u < nu && !e; u++)
		for (size_t k = 0; k < n && !e; k++)
			e = add_transfer(c, j, &gs, k, u, o, x);
	glob_free(gs.url);
	glob_free(gs.up);
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

/* Group c's plan: its URLs globbed, the body, netrc, the network
 * settings and the sections. */
static int
group_finish(struct cfg *c, const char *name)
{
	char errmsg[NK_ERR_MSG_LEN];
	if (c->urls.n == 0) {
		tool_msg("no URL given (see nk %s --help)", name);
		return NK_ERR_FAILED_INIT;
	}
	if (c->remote_header_name && (c->include || c->head)) {
		tool_msg("showing headers and --remote-header-name cannot be "
		         "combined");
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

/* A later group g gets the first one's global options, and the host
 * sections (each with g's own headers and TLS settings under it). */
static void
group_inherit(const struct cfg *c, struct cfg *g)
{
	g->silent = c->silent;
	g->show_error = c->show_error;
	g->verbose = c->verbose;
	g->no_progress = c->no_progress;
	g->fail_early = c->fail_early;
	g->tr = c->tr;
	g->progress_bar = c->progress_bar;
	if (!c->nsecs)
		return;
	g->secs = calloc(c->nsecs, sizeof *g->secs);
	if (!g->secs)
		exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	g->nsecs = c->nsecs;
	g->secs_borrowed = 1;
	for (size_t i = 0; i < c->nsecs; i++) {
		g->secs[i].name = c->secs[i].name;
		g->secs[i].cfg = c->secs[i].cfg;
	}
}

int
plan_finish(struct cfg *c, const char *name)
{
	int e = 0;
	for (struct cfg *g = c; g && !e; g = g->next) {
		if (g != c)
			group_inherit(c, g);
		/* A last group without a URL (after a trailing --next) fails
		 * when its turn comes, after the others ran, as in curl. */
		if (g == c || g->urls.n)
			e = group_finish(g, name);
	}
	return e;
}
