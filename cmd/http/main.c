/* nk http / nk https: fetch URLs. Options, names and exit codes follow
 * curl's, so a script moves from curl by changing the command name; the
 * transfer itself is libnk's nk_fetch. `nk https` differs only in the
 * scheme assumed for a URL given without one. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "nk/fetch.h"
#include "nk/http.h"
#include "nk/tls.h"
#include "nk/x509.h"
#include "netargs.h"
#include "opts.h"
#include "tool.h"
#include "http.h"
#include "data.h"
#include "glob.h"
#include "netrc.h"
#include "config.h"
#include "vars.h"
#include "hosts.h"
#include "tlsreport.h"
#include "cookies.h"

enum {
	O_OUTPUT = 1, O_REMOTE_NAME, O_REMOTE_NAME_ALL, O_OUTPUT_DIR,
	O_INCLUDE, O_HEAD, O_DUMP_HEADER, O_HEADER, O_USER_AGENT, O_REFERER,
	O_DATA, O_DATA_ASCII, O_DATA_BINARY, O_DATA_RAW, O_DATA_URLENCODE,
	O_JSON, O_GET, O_URL_QUERY, O_FORM, O_FORM_STRING,
	O_USER, O_REQUEST, O_LOCATION, O_MAX_REDIRS, O_FAIL, O_FAIL_WITH_BODY,
	O_FAIL_EARLY, O_SILENT, O_SHOW_ERROR, O_VERBOSE, O_WRITE_OUT,
	O_MAX_TIME, O_MAX_FILESIZE, O_HTTP10, O_HTTP11, O_COMPRESSED, O_RETRY,
	O_RETRY_DELAY, O_RETRY_MAX_TIME, O_RETRY_CONNREFUSED, O_RETRY_ALL,
	O_PROXY, O_NOPROXY, O_CONTINUE_AT, O_PINNED, O_NO_PROGRESS, O_PIPELINE,
	O_NO_CLOBBER, O_REMOVE_ON_ERROR, O_UPLOAD_FILE, O_EXPECT100_TIMEOUT,
	O_POST301, O_POST302, O_POST303,
	O_URL, O_GLOBOFF,
	O_NETRC, O_NETRC_OPTIONAL, O_NETRC_FILE,
	O_CONFIG, O_DISABLE, O_VARIABLE,
	O_COOKIE, O_COOKIE_JAR, O_JUNK_SESSION,
};

static const struct opt opts[] = {
	{ O_OUTPUT, 'o', "output", OPT_FILE, "FILE",
	  NULL, "write the body to FILE instead of stdout (one per URL)" },
	{ O_REMOTE_NAME, 'O', "remote-name", OPT_FLAG, NULL,
	  NULL, "write to a file named like the URL's last path segment" },
	{ O_REMOTE_NAME_ALL, 0, "remote-name-all", OPT_FLAG, NULL,
	  NULL, "-O for every URL" },
	{ O_OUTPUT_DIR, 0, "output-dir", OPT_DIR, "DIR",
	  NULL, "put -o and -O files in DIR" },
	{ O_NO_CLOBBER, 0, "no-clobber", OPT_FLAG, NULL,
	  NULL, "never overwrite a file: write to FILE.1 ... FILE.100" },
	{ O_REMOVE_ON_ERROR, 0, "remove-on-error", OPT_FLAG, NULL,
	  NULL, "remove the output file when the transfer fails" },
	{ O_URL, 0, "url", OPT_STRING, "URL",
	  NULL, "a URL to fetch (@FILE: URLs from FILE, one a line)" },
	{ O_GLOBOFF, 'g', "globoff", OPT_FLAG, NULL,
	  NULL, "send [] and {} in URLs as written: no URL globbing" },
	{ O_INCLUDE, 'i', "include", OPT_FLAG, NULL,
	  NULL, "write the response head before the body" },
	{ O_HEAD, 'I', "head", OPT_FLAG, NULL,
	  NULL, "send HEAD and show the response head only" },
	{ O_DUMP_HEADER, 'D', "dump-header", OPT_FILE, "FILE",
	  NULL, "write response heads to FILE (- for stdout)" },
	{ O_HEADER, 'H', "header", OPT_STRING, "'NAME: VALUE'",
	  NULL, "add a header ('NAME:' removes one, @FILE reads lines)" },
	{ O_DATA, 'd', "data", OPT_STRING, "DATA",
	  NULL, "POST DATA (@FILE: its lines, @-: stdin), joined with &" },
	{ O_DATA_ASCII, 0, "data-ascii", OPT_STRING, "DATA",
	  NULL, "the same as -d" },
	{ O_DATA_BINARY, 0, "data-binary", OPT_STRING, "DATA",
	  NULL, "POST DATA (@FILE: its bytes exactly)" },
	{ O_DATA_RAW, 0, "data-raw", OPT_STRING, "DATA",
	  NULL, "POST DATA as it is, even with a leading @" },
	{ O_DATA_URLENCODE, 0, "data-urlencode", OPT_STRING, "FORM",
	  NULL, "POST [NAME]=TEXT or [NAME]@FILE, the text URL-encoded" },
	{ O_JSON, 0, "json", OPT_STRING, "JSON",
	  NULL, "POST JSON (@FILE, @-) as application/json" },
	{ O_GET, 'G', "get", OPT_FLAG, NULL,
	  NULL, "put the -d data in the URL's query and GET it" },
	{ O_URL_QUERY, 0, "url-query", OPT_STRING, "FORM",
	  NULL, "add to each URL's query (--data-urlencode forms; + as is)" },
	{ O_FORM, 'F', "form", OPT_STRING, "NAME=CONTENT",
	  NULL, "POST a multipart form part (;type=, ;filename=, ;headers=)" },
	{ O_FORM_STRING, 0, "form-string", OPT_STRING, "NAME=VALUE",
	  NULL, "a form part whose VALUE is taken as it is" },
	{ O_USER_AGENT, 'A', "user-agent", OPT_STRING, "TEXT",
	  NULL, "User-Agent to send (default nk/VERSION)" },
	{ O_REFERER, 'e', "referer", OPT_STRING, "URL",
	  NULL, "Referer to send (URL;auto also sets it on redirects)" },
	{ O_COOKIE, 'b', "cookie", OPT_STRING, "DATA|FILE",
	  NULL, "send cookies: 'NAME=VALUE; ...', or a cookie FILE to read" },
	{ O_COOKIE_JAR, 'c', "cookie-jar", OPT_STRING, "FILE",
	  NULL, "write every cookie to FILE at the end (- for stdout)" },
	{ O_JUNK_SESSION, 'j', "junk-session-cookies", OPT_FLAG, NULL,
	  NULL, "-b FILE: leave out its session cookies" },
	{ O_USER, 'u', "user", OPT_STRING, "USER:PASSWORD",
	  NULL, "HTTP Basic credentials (never sent to another host)" },
	{ O_NETRC, 'n', "netrc", OPT_FLAG, NULL,
	  NULL, "credentials from ~/.netrc ($NETRC), each host its own" },
	{ O_NETRC_OPTIONAL, 0, "netrc-optional", OPT_FLAG, NULL,
	  NULL, "like --netrc, but a password in the URL wins" },
	{ O_NETRC_FILE, 0, "netrc-file", OPT_FILE, "FILE",
	  NULL, "--netrc with FILE instead of ~/.netrc" },
	{ O_REQUEST, 'X', "request", OPT_STRING, "METHOD",
	  NULL, "request method instead of GET" },
	{ O_UPLOAD_FILE, 'T', "upload-file", OPT_STRING, "FILE",
	  NULL, "PUT FILE (- for stdin) to the URL (one per URL; a URL "
	  "ending in / gets FILE's name)" },
	{ O_EXPECT100_TIMEOUT, 0, "expect100-timeout", OPT_NUM, "SECS",
	  NULL, "wait SECS for 100 Continue before sending the body "
	  "(default 1)" },
	{ O_POST301, 0, "post301", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 301" },
	{ O_POST302, 0, "post302", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 302" },
	{ O_POST303, 0, "post303", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 303" },
	{ O_LOCATION, 'L', "location", OPT_FLAG, NULL,
	  NULL, "follow redirects" },
	{ O_MAX_REDIRS, 0, "max-redirs", OPT_NUM, "N",
	  NULL, "follow at most N redirects (default 50, -1 no limit)" },
	{ O_FAIL, 'f', "fail", OPT_FLAG, NULL,
	  NULL, "exit 22 on HTTP status 400 or more, without the body" },
	{ O_FAIL_WITH_BODY, 0, "fail-with-body", OPT_FLAG, NULL,
	  NULL, "exit 22 on HTTP status 400 or more, with the body" },
	{ O_FAIL_EARLY, 0, "fail-early", OPT_FLAG, NULL,
	  NULL, "stop at the first URL that fails" },
	{ O_SILENT, 's', "silent", OPT_FLAG, NULL,
	  NULL, "no progress meter and no error messages" },
	{ O_SHOW_ERROR, 'S', "show-error", OPT_FLAG, NULL,
	  NULL, "with -s, still show errors" },
	{ O_VERBOSE, 'v', "verbose", OPT_FLAG, NULL,
	  NULL, "show the steps, and the heads sent and received, on stderr" },
	{ O_WRITE_OUT, 'w', "write-out", OPT_STRING, "FORMAT",
	  NULL, "print FORMAT after each transfer (%{http_code}, %{json}...)" },
	{ O_MAX_TIME, 'm', "max-time", OPT_NUM, "SECS",
	  NULL, "give up a transfer after SECS" },
	{ O_MAX_FILESIZE, 0, "max-filesize", OPT_NUM, "BYTES",
	  NULL, "refuse bodies larger than BYTES (k, M, G suffixes)" },
	NETARGS_CONNECT_OPTS,
	NETARGS_RESOLVE_OPT,
	NETARGS_FAMILY_OPTS,
	{ O_HTTP10, '0', "http1.0", OPT_FLAG, NULL,
	  NULL, "send HTTP/1.0 requests" },
	{ O_HTTP11, 0, "http1.1", OPT_FLAG, NULL,
	  NULL, "send HTTP/1.1 requests (the default)" },
	{ O_COMPRESSED, 0, "compressed", OPT_FLAG, NULL,
	  NULL, "ask for gzip or deflate and decode the body" },
	{ O_PIPELINE, 0, "pipeline", OPT_FLAG, NULL,
	  NULL, "send GET and HEAD requests for the next URLs on one "
	  "connection without waiting for each response" },
	{ O_RETRY, 0, "retry", OPT_NUM, "N",
	  NULL, "retry transient failures N times, backing off" },
	{ O_RETRY_DELAY, 0, "retry-delay", OPT_NUM, "SECS",
	  NULL, "wait SECS between retries instead of backing off" },
	{ O_RETRY_MAX_TIME, 0, "retry-max-time", OPT_NUM, "SECS",
	  NULL, "start no retry after SECS" },
	{ O_RETRY_CONNREFUSED, 0, "retry-connrefused", OPT_FLAG, NULL,
	  NULL, "also retry when the connection is refused" },
	{ O_RETRY_ALL, 0, "retry-all-errors", OPT_FLAG, NULL,
	  NULL, "retry whatever the error" },
	{ O_PROXY, 'x', "proxy", OPT_STRING, "[http://]HOST[:PORT]",
	  NULL, "use this HTTP proxy (\"\" for none)" },
	{ O_NOPROXY, 0, "noproxy", OPT_STRING, "LIST",
	  NULL, "hosts to reach without the proxy (* for all)" },
	{ O_CONTINUE_AT, 'C', "continue-at", OPT_STRING, "OFFSET|-",
	  NULL, "resume at OFFSET, or (-) at the output file's size" },
	TLSARGS_VERIFY_OPTS,
	TLSARGS_VERSION_OPTS,
	TLSARGS_CLIENT_OPTS,
	{ O_PINNED, 0, "pinnedpubkey", OPT_STRING, "sha256//BASE64",
	  NULL, "the server key must match one of these pins (;-separated)" },
	{ O_NO_PROGRESS, 0, "no-progress-meter", OPT_FLAG, NULL,
	  NULL, "no progress meter, but errors still shown" },
	{ O_CONFIG, 'K', "config", OPT_FILE, "FILE",
	  NULL, "read options from FILE (- for stdin), curl's syntax" },
	{ O_DISABLE, 'q', "disable", OPT_FLAG, NULL,
	  NULL, "as the first option: do not read the default config file" },
	{ O_VARIABLE, 0, "variable", OPT_STRING, "[%]NAME=TEXT|[%]NAME@FILE",
	  NULL, "set a variable for --expand-OPTION's {{NAME}}" },
};

static const struct tool tool_http = {
	"http", "fetch URLs over HTTP and HTTPS (curl options)",
	"[OPTIONS] URL...", opts, NK_ARRAY_LEN(opts),
};
static const struct tool tool_https = {
	"https", "fetch URLs, https:// by default (curl options)",
	"[OPTIONS] URL...", opts, NK_ARRAY_LEN(opts),
};

/* A growable array of borrowed strings. */
struct strv {
	const char **v;
	size_t n, cap;
};

static void
strv_add(struct strv *a, const char *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = realloc(a->v, a->cap * sizeof *a->v);
		if (!a->v)
			exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
	}
	a->v[a->n++] = s;
}

/* -o FILE or -O, in the order given; each goes to the next URL. */
#define OUT_REMOTE ((const char *)1)

struct cfg {
	struct strv owned;          /* strings made here, freed at exit */
	struct netrc_opt netrc;
	const char *default_scheme;
	struct strv urls, outputs, headers, uploads;
	struct strv listed;         /* per URL: non-NULL if from --url @FILE */
	size_t *urlnum;             /* per globbed URL: its argument's index */
	int globoff;
	const char *output_dir, *dump_header, *user_agent, *referer, *user;
	const char *method, *proxy, *noproxy;
	int proxy_set, remote_all, include, head, location, fail,
	    fail_with_body, fail_early, silent, show_error, verbose,
	    no_progress, compressed, http10, auto_referer, pipeline,
	    write_out;
	long max_redirs;
	int max_redirs_set;
	int64_t max_time_ms, max_filesize;
	long retry;
	int64_t retry_delay_ms, retry_max_time_ms;
	int retry_connrefused, retry_all;
	int resume;                 /* 0 no, 1 -C -, 2 -C OFFSET */
	int no_clobber, remove_on_error;
	struct data data;           /* -d ... --json, -G, --url-query */
	int64_t resume_offset;
	struct netargs na;          /* -4 ... --connect-timeout, --cacert ...
	                             * --key; --pinnedpubkey is in na.tls too */
	nk_fetch_body *body;        /* -d, --json, -F ...: NULL when none */
	const char *accept;         /* --json's Accept, or NULL */
	int post301, post302, post303;
	int64_t expect100_ms;
	struct cookies ck;          /* -b, -c, -j */
	struct vars vars;           /* --variable */
	struct host_sec *secs;      /* config files' [host NAME] sections */
	size_t nsecs;
	int in_section;             /* this cfg is a section's */
};

/* A section's options, parsed into a cfg of their own; what is used of
 * it: headers (after the others), -u, -A, -e and the TLS options. */
struct host_sec {
	const char *name;
	struct cfg *cfg;
	struct strv headers;        /* the global ones, then the section's */
	nk_tls_config tls;          /* the global TLS settings, overlaid */
	int has_tls;
	nk_fetch *f;                /* with tls, when has_tls */
};

static void
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
	free(c->owned.v);
	free(c->urls.v);
	free(c->listed.v);
	free(c->urlnum);
	free(c->outputs.v);
	free(c->headers.v);
	free(c->uploads.v);
	netargs_free(&c->na);
	vars_free(&c->vars);
	for (size_t i = 0; i < c->nsecs; i++) {
		cfg_free(c->secs[i].cfg);
		free(c->secs[i].cfg);
		free(c->secs[i].headers.v);
		nk_fetch_free(c->secs[i].f);
	}
	free(c->secs);
}

/* The section for host `name`, made on first use. */
static struct cfg *
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

/* What a section may hold: what is sent to one host and how its TLS
 * peer is checked, not what a whole run does. */
static int
section_allows(int id)
{
	switch (id) {
	case O_HEADER: case O_USER: case O_USER_AGENT: case O_REFERER:
	case O_PINNED: case TLSARGS_CACERT: case TLSARGS_CAPATH:
	case TLSARGS_INSECURE: case TLSARGS_TLSV12: case TLSARGS_TLSV13:
	case TLSARGS_TLS_MAX: case TLSARGS_CERT: case TLSARGS_KEY:
		return 1;
	}
	return 0;
}

static int
section_refuse(const struct tool *t, int id, const char *name)
{
	/* A config file's url line is --url: a URL either way. */
	if (id == OPT_ARG || id == O_URL) {
		tool_msg("[host %s]: a URL cannot be in a host section", name);
		return NK_ERR_FAILED_INIT;
	}
	for (size_t i = 0; i < t->nopts; i++)
		if (t->opts[i].id == id && t->opts[i].longopt)
			tool_msg("[host %s]: --%s cannot be in a host section",
			         name, t->opts[i].longopt);
	return NK_ERR_FAILED_INIT;
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

/* A section with TLS settings needs its own nk_fetch, which one
 * pipeline cannot mix in. */
static int
sections_tls(const struct cfg *c)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (c->secs[i].has_tls)
			return 1;
	return 0;
}

/* The section for URL i, or NULL. */
static const struct host_sec *
section_for(const struct cfg *c, size_t i)
{
	for (size_t k = 0; k < c->nsecs; k++)
		if (hosts_match(c->secs[k].name, c->urls.v[i], c->default_scheme))
			return &c->secs[k];
	return NULL;
}

/* --max-filesize: bytes with an optional k/M/G suffix (powers of 1024). */
static int
parse_size(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	long long mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024LL * 1024 * 1024; end++; break;
	}
	if (*end || v > INT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

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

/* A data option's error: a usage error (2) reads as the others do. */
static int
data_error(nk_err e, const char *errmsg)
{
	if (e != NK_ERR_FAILED_INIT)
		return tool_fail(e, errmsg);
	tool_msg("%s", errmsg);
	return e;
}

/* -H @FILE: one header per line. The lines are kept for the whole run. */
static int
headers_from_file(struct cfg *c, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return tool_failf(NK_ERR_READ_ERROR, "cannot read headers from "
		                  "%s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		/* A NUL would cut the header short without a word. */
		if (memchr(line, '\0', (size_t)n)) {
			tool_msg("bad header in %s line %zu: a NUL byte", path, lineno);
			free(line);
			if (f != stdin)
				fclose(f);
			return NK_ERR_FAILED_INIT;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (check_header(line) != 0) {
			free(line);
			return NK_ERR_FAILED_INIT;
		}
		char *h = strdup(line);
		if (!h) {
			free(line);
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		}
		strv_add(&c->owned, h);
		strv_add(&c->headers, h);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* --url @FILE (curl 8.13): one URL a line, # starting a comment line;
 * each is saved with -O and taken as written, not globbed. */
static int
urls_from_file(struct cfg *c, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return tool_failf(NK_ERR_READ_ERROR, "cannot read URLs from %s: %s",
		                  path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int e = 0;
	while (!e && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *u = strdup(line);
		if (!u)
			e = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		else {
			strv_add(&c->owned, u);
			strv_add(&c->urls, u);
			strv_add(&c->listed, OUT_REMOTE);
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return e;
}

/* URL argument j as globbed URLs, each with its -o name (#N filled in)
 * and -T file; urlnum stays j, as curl's %{urlnum}. */
static int
expand_one(struct cfg *c, size_t j, struct strv *urls, struct strv *outs,
           struct strv *ups, size_t **num, char *errmsg)
{
	const char *u = c->urls.v[j];
	const char *o = j < c->outputs.n ? c->outputs.v[j]
	                : c->listed.v[j] ? OUT_REMOTE : NULL;
	struct glob *g = NULL;
	if (!c->globoff && !c->listed.v[j]) {
		int e = glob_parse(u, &g, errmsg, NK_ERR_MSG_LEN);
		if (e)
			return e;
	}
	size_t n = g ? glob_count(g) : 1;
	if (n > GLOB_MAX_URLS - urls->n) {
		glob_free(g);
		snprintf(errmsg, NK_ERR_MSG_LEN, "more than %d URLs on one "
		         "command line", GLOB_MAX_URLS);
		return NK_ERR_URL_MALFORMAT;
	}
	size_t *nn = realloc(*num, (urls->n + n) * sizeof *nn);
	if (!nn) {
		glob_free(g);
		return NK_ERR_OUT_OF_MEMORY;
	}
	*num = nn;
	for (size_t k = 0; k < n; k++) {
		char *gu = g ? glob_url(g, k) : NULL;
		char *go = g && o && o != OUT_REMOTE ? glob_name(g, k, o) : NULL;
		if ((g && !gu) || (g && o && o != OUT_REMOTE && !go)) {
			free(gu);
			free(go);
			glob_free(g);
			return NK_ERR_OUT_OF_MEMORY;
		}
		if (gu)
			strv_add(&c->owned, gu);
		if (go)
			strv_add(&c->owned, go);
		nn[urls->n] = j;
		strv_add(urls, gu ? gu : u);
		strv_add(outs, go ? go : o);
		if (j < c->uploads.n)
			strv_add(ups, c->uploads.v[j]);
	}
	glob_free(g);
	return 0;
}

/* Every URL argument globbed, before any traffic: a bad pattern or too
 * many URLs stops the run with nothing sent. */
static int
expand_urls(struct cfg *c)
{
	struct strv urls = { 0 }, outs = { 0 }, ups = { 0 };
	size_t *num = NULL;
	char errmsg[NK_ERR_MSG_LEN] = "out of memory";
	int e = 0;
	for (size_t j = 0; j < c->urls.n && !e; j++)
		e = expand_one(c, j, &urls, &outs, &ups, &num, errmsg);
	/* As curl, -s keeps even this quiet. */
	if (e && (!c->silent || c->show_error))
		tool_fail((nk_err)e, errmsg);
	/* -o names past the last URL were never used: dropped. */
	free(c->urls.v);
	free(c->outputs.v);
	free(c->uploads.v);
	c->urls = urls;
	c->outputs = outs;
	c->uploads = ups;
	c->urlnum = num;
	return e;
}

static int parse_opts(struct cfg *c, int argc, char **argv,
                      const struct tool *t, int depth);

/* -K FILE and the default file: its options go through parse_opts, as
 * if given at this place on the command line. */
static int
parse_config(struct cfg *c, const char *path, int missing_ok,
             const struct tool *t, int depth)
{
	/* A file that names itself would loop for ever. */
	if (depth > 16) {
		tool_msg("config files nested too deep at '%s'", path);
		return NK_ERR_FAILED_INIT;
	}
	int n;
	char **v;
	int e = config_read(path, t, missing_ok, &n, &v);
	if (e)
		return e;
	for (int i = 0; i < n; i++)
		strv_add(&c->owned, v[i]);
	/* Each section's options, up to the next, go to its own cfg; its
	 * name stands where the parser expects argv[0]. */
	int m = 0;
	while (m < n && strcmp(v[m], CONFIG_SECTION) != 0)
		m++;
	e = m ? parse_opts(c, m, v, t, depth + 1) : 0;
	while (!e && m < n) {
		int start = ++m;
		while (m < n && strcmp(v[m], CONFIG_SECTION) != 0)
			m++;
		e = parse_opts(section_get(c, v[start]), m - start, v + start, t,
		               depth + 1);
	}
	free(v);
	return e;
}

/* --expand-NAME VALUE at argv[*i]: NAME's option with {{...}} in VALUE
 * expanded, parsed as if given so. */
static int
parse_expand(struct cfg *c, int argc, char **argv, int *i,
             const struct tool *t, int depth)
{
	const char *a = argv[(*i)++], *name = a + 9, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = config_opt(t, name, len);
	if (!o) {
		tool_msg("unknown option %.*s (see nk %s --help)",
		         (int)(len + 9), a, t->name);
		return NK_ERR_FAILED_INIT;
	}
	char *opt = malloc(len + 3), *val = NULL;
	if (!opt)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	snprintf(opt, len + 3, "--%.*s", (int)len, name);
	strv_add(&c->owned, opt);
	char *mini[3] = { argv[0], opt, NULL };
	if (o->kind == OPT_FLAG)
		return parse_opts(c, 2, mini, t, depth);
	if (!eq && *i >= argc) {
		tool_msg("option %s needs an argument", a);
		return NK_ERR_FAILED_INIT;
	}
	const char *v = eq ? eq + 1 : argv[(*i)++];
	int e = vars_expand(&c->vars, v, &val);
	if (e)
		return e;
	if (val)
		strv_add(&c->owned, val);
	mini[2] = val ? val : (char *)v;
	return parse_opts(c, 3, mini, t, depth);
}

static int
parse_opts(struct cfg *c, int argc, char **argv, const struct tool *t,
           int depth)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int id;
	long l;
	char errmsg[NK_ERR_MSG_LEN];
	nk_err de;
	for (;;) {
		if (!(st.bundle && *st.bundle) && !st.only_args && st.i < argc &&
		    strncmp(argv[st.i], "--expand-", 9) == 0 && !c->in_section) {
			if ((de = parse_expand(c, argc, argv, &st.i, t, depth)))
				return de;
			continue;
		}
		if ((id = opt_next(&st, argc, argv, t, &arg)) == OPT_END)
			break;
		if (c->in_section && id != OPT_ERROR && !section_allows(id))
			return section_refuse(t, id, argv[0]);
		switch (id) {
		case OPT_ERROR:
			return NK_ERR_FAILED_INIT;
		case OPT_ARG:
			strv_add(&c->urls, arg);
			strv_add(&c->listed, NULL);
			break;
		case O_URL:
			if (arg[0] == '@') {
				int e = urls_from_file(c, arg + 1);
				if (e)
					return e;
				break;
			}
			strv_add(&c->urls, arg);
			strv_add(&c->listed, NULL);
			break;
		case O_GLOBOFF: c->globoff = 1; break;
		case O_CONFIG:
			if ((de = parse_config(c, arg, 0, t, depth)))
				return de;
			break;
		case O_DISABLE: break;
		case O_VARIABLE:
			if ((de = vars_set(&c->vars, arg)))
				return de;
			break;
		case O_OUTPUT: strv_add(&c->outputs, arg); break;
		case O_REMOTE_NAME: strv_add(&c->outputs, OUT_REMOTE); break;
		case O_REMOTE_NAME_ALL: c->remote_all = 1; break;
		case O_OUTPUT_DIR: c->output_dir = arg; break;
		case O_NO_CLOBBER: c->no_clobber = 1; break;
		case O_REMOVE_ON_ERROR: c->remove_on_error = 1; break;
		case O_INCLUDE: c->include = 1; break;
		case O_HEAD: c->head = 1; break;
		case O_DUMP_HEADER: c->dump_header = arg; break;
		case O_HEADER:
			if (arg[0] == '@') {
				int e = headers_from_file(c, arg + 1);
				if (e)
					return e;
				break;
			}
			if (check_header(arg) != 0)
				return NK_ERR_FAILED_INIT;
			strv_add(&c->headers, arg);
			break;
		case O_USER_AGENT: c->user_agent = arg; break;
		case O_COOKIE: cookies_arg(&c->ck, arg); break;
		case O_COOKIE_JAR: c->ck.jar_path = arg; break;
		case O_JUNK_SESSION: c->ck.junk = 1; break;
		case O_REFERER: {
			const char *semi = strstr(arg, ";auto");
			if (semi && semi[5] == '\0') {
				c->auto_referer = 1;
				char *r = semi == arg ? NULL
				          : strndup(arg, (size_t)(semi - arg));
				if (r)
					strv_add(&c->owned, r);
				c->referer = r;
			} else {
				c->referer = arg;
			}
			break;
		}
		case O_NETRC: c->netrc.use = 1; break;
		case O_NETRC_OPTIONAL: c->netrc.optional = 1; break;
		case O_NETRC_FILE: c->netrc.use = 1; c->netrc.file = arg; break;
		case O_USER:
			c->user = arg;
			/* No password: curl would prompt; nk never reads the
			 * terminal behind a script's back and sends an empty one. */
			if (!strchr(arg, ':')) {
				size_t n = strlen(arg) + 2;
				char *u = malloc(n);
				if (!u)
					return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
				snprintf(u, n, "%s:", arg);
				strv_add(&c->owned, u);
				c->user = u;
			}
			break;
		case O_REQUEST:
			if (!nk_http_is_token(arg, strlen(arg))) {
				tool_msg("bad method '%s': it must be a token (letters, "
				         "digits, !#$%%&'*+-.^_`|~)", arg);
				return NK_ERR_FAILED_INIT;
			}
			c->method = arg;
			break;
		case O_LOCATION: c->location = 1; break;
		case O_UPLOAD_FILE: strv_add(&c->uploads, arg); break;
		case O_EXPECT100_TIMEOUT:
			if (tool_parse_secs(arg, "--expect100-timeout",
			                    &c->expect100_ms))
				return NK_ERR_FAILED_INIT;
			break;
		case O_POST301: c->post301 = 1; break;
		case O_POST302: c->post302 = 1; break;
		case O_POST303: c->post303 = 1; break;
		case O_MAX_REDIRS:
			if (tool_parse_long(arg, -1, INT_MAX, "--max-redirs", &l))
				return NK_ERR_FAILED_INIT;
			c->max_redirs = l;
			c->max_redirs_set = 1;
			break;
		case O_FAIL: c->fail = 1; break;
		case O_FAIL_WITH_BODY: c->fail_with_body = 1; break;
		case O_FAIL_EARLY: c->fail_early = 1; break;
		case O_SILENT: c->silent = 1; break;
		case O_SHOW_ERROR: c->show_error = 1; break;
		case O_VERBOSE: c->verbose = 1; break;
		case O_WRITE_OUT: {
			int e = writeout_set(arg);
			if (e)
				return e;
			c->write_out = 1;
			break;
		}
		case O_MAX_TIME:
			if (tool_parse_secs(arg, "--max-time", &c->max_time_ms))
				return NK_ERR_FAILED_INIT;
			break;
		case O_MAX_FILESIZE:
			if (parse_size(arg, &c->max_filesize)) {
				tool_msg("--max-filesize takes a number of bytes (with "
				         "k, M or G), not '%s'", arg);
				return NK_ERR_FAILED_INIT;
			}
			break;
		case O_HTTP10: c->http10 = 1; break;
		case O_HTTP11: c->http10 = 0; break;
		case O_COMPRESSED: c->compressed = 1; break;
		case O_RETRY:
			if (tool_parse_long(arg, 0, 1000000, "--retry", &c->retry))
				return NK_ERR_FAILED_INIT;
			break;
		case O_RETRY_DELAY:
			if (tool_parse_secs(arg, "--retry-delay", &c->retry_delay_ms))
				return NK_ERR_FAILED_INIT;
			break;
		case O_RETRY_MAX_TIME:
			if (tool_parse_secs(arg, "--retry-max-time",
			                    &c->retry_max_time_ms))
				return NK_ERR_FAILED_INIT;
			break;
		case O_RETRY_CONNREFUSED: c->retry_connrefused = 1; break;
		case O_RETRY_ALL: c->retry_all = 1; break;
		case O_PROXY: c->proxy = arg; c->proxy_set = 1; break;
		case O_NOPROXY: c->noproxy = arg; break;
		case O_CONTINUE_AT:
			if (strcmp(arg, "-") == 0) {
				c->resume = 1;
			} else {
				long long v;
				char *end;
				errno = 0;
				v = strtoll(arg, &end, 10);
				if (errno || end == arg || *end || v < 0) {
					tool_msg("-C takes an offset in bytes or -, not '%s'",
					         arg);
					return NK_ERR_FAILED_INIT;
				}
				c->resume = 2;
				c->resume_offset = v;
			}
			break;
		case O_PINNED: c->na.tls.pinned_pubkey = arg; break;
		case O_NO_PROGRESS: c->no_progress = 1; break;
		case O_PIPELINE: c->pipeline = 1; break;
		case O_DATA: case O_DATA_ASCII: case O_DATA_BINARY:
		case O_DATA_RAW: case O_DATA_URLENCODE: case O_JSON: {
			static const enum data_kind kinds[] = {
				DATA_ASCII, DATA_ASCII, DATA_BINARY, DATA_RAW,
				DATA_URLENCODE, DATA_JSON };
			de = data_add(&c->data, kinds[id - O_DATA], arg, errmsg);
			if (de)
				return data_error(de, errmsg);
			break;
		}
		case O_GET: c->data.get = 1; break;
		case O_URL_QUERY:
			de = data_url_query(&c->data, arg, errmsg);
			if (de)
				return data_error(de, errmsg);
			break;
		case O_FORM: case O_FORM_STRING:
			de = data_form(&c->data, arg, id == O_FORM_STRING, errmsg);
			if (de)
				return data_error(de, errmsg);
			break;
		default:
			if (netargs_take(&c->na, id, arg) < 0)
				return NK_ERR_FAILED_INIT;
			break;
		}
	}
	return 0;
}

static int
parse_args(struct cfg *c, int argc, char **argv, const struct tool *t)
{
	char errmsg[NK_ERR_MSG_LEN];
	nk_err de = 0;
	/* curl's rule: -q (--disable) only counts as the very first option. */
	if (argc < 2 || (strcmp(argv[1], "-q") != 0 &&
	                 strcmp(argv[1], "--disable") != 0)) {
		char *rc = config_default_path();
		if (rc) {
			strv_add(&c->owned, rc);
			de = parse_config(c, rc, 1, t, 0);
		}
	}
	if (!de)
		de = parse_opts(c, argc, argv, t, 0);
	if (de)
		return de;
	if (c->urls.n == 0) {
		tool_msg("no URL given (see nk %s --help)", t->name);
		return NK_ERR_FAILED_INIT;
	}
	de = expand_urls(c);
	if (de)
		return de;
	if (c->resume == 1) {
		for (size_t i = 0; i < c->urls.n; i++)
			if ((i >= c->outputs.n || !c->outputs.v[i]) && !c->remote_all) {
				tool_msg("-C - needs an output file (-o or -O) to know "
				         "where to resume");
				return NK_ERR_FAILED_INIT;
			}
	}
	de = data_finish(&c->data, c->urls.v, c->urls.n, c->headers.v,
	                 &c->headers.n, &c->body, errmsg);
	if (de)
		return data_error(de, errmsg);
	for (size_t i = 0; i < c->data.nheaders; i++)
		strv_add(&c->headers, c->data.headers[i]);
	de = netrc_finish(&c->netrc, errmsg);
	if (de)
		return tool_fail(de, errmsg);
	de = netargs_finish(&c->na);
	if (!de)
		sections_finish(c);
	return de;
}

/* ---- one transfer -------------------------------------------------- */

struct xfer {
	const struct cfg *c;
	struct sink out;
	FILE *dump;                 /* -D, or NULL */
	int dump_tty;
	struct progress prog;
	int64_t expect;             /* Content-Length of the final response */
	int status;                 /* final status seen */
	int err_colour;
};

static void
on_trace(void *ctx, nk_fetch_trace what, const char *data, size_t len,
         const void *obj)
{
	struct xfer *x = ctx;
	if (what == NK_FETCH_WARNING) {
		if (!x->c->silent || x->c->verbose) {
			progress_end(&x->prog);
			tool_msg("%.*s", (int)len, data);
		}
		return;
	}
	if (!x->c->verbose)
		return;
	if (x->prog.shown) {
		fputs("\r\033[K", stderr);
		x->prog.shown = 0;
	}
	switch (what) {
	case NK_FETCH_INFO:
		fputs("* ", stderr);
		text_term(stderr, data, len);
		fputc('\n', stderr);
		break;
	case NK_FETCH_HEAD_OUT:
		show_head(stderr, "> ", data, len, 1, x->err_colour);
		break;
	case NK_FETCH_HEAD_IN:
		show_head(stderr, "< ", data, len, 1, x->err_colour);
		break;
	case NK_FETCH_WARNING:
		break;
	case NK_FETCH_TLS: {
		char host[256];
		snprintf(host, sizeof host, "%.*s", (int)len, data);
		tlsreport_summary(stderr, obj, host, "* ");
		if (x->c->na.tls.insecure && !((const nk_tls_info *)obj)->verify_ok)
			fputs("* --insecure: going on anyway\n", stderr);
		break;
	}
	}
}

/* Header lines, a head's or the trailers', to -D and (-i) the output. */
static nk_err
show_lines(struct xfer *x, const char *head, size_t len, char *errmsg)
{
	if (x->dump) {
		nk_err e = x->dump == stdout ? sink_flush(errmsg) : 0;
		if (e)
			return e;
		show_head(x->dump, NULL, head, len, x->dump_tty,
		          x->dump_tty && show_colour(x->dump));
		/* A head that cannot be saved fails its transfer, as curl
		 * does, before a body is kept under its final name. */
		if (fflush(x->dump) != 0 || ferror(x->dump)) {
			snprintf(errmsg, NK_ERR_MSG_LEN, "writing to %s: %s",
			         x->dump == stdout ? "stdout" : x->c->dump_header,
			         strerror(errno));
			return NK_ERR_WRITE_ERROR;
		}
	}
	if (x->c->include || x->c->head) {
		if (x->out.tty) {
			show_head(stdout, NULL, head, len, 1, show_colour(stdout));
			fflush(stdout);
		} else {
			return sink_write(&x->out, head, len, 0, errmsg);
		}
	}
	return NK_OK;
}

static nk_err
on_head(void *ctx, const nk_fetch_hop *hop, const char *head, size_t len,
        int interim, char *errmsg)
{
	struct xfer *x = ctx;
	if (!interim) {
		x->expect = hop->content_length;
		x->status = hop->status;
	}
	return show_lines(x, head, len, errmsg);
}

/* Trailers go where the head went, after the body, as in curl. */
static nk_err
on_trailers(void *ctx, const char *lines, size_t len, char *errmsg)
{
	return show_lines(ctx, lines, len, errmsg);
}

static nk_err
on_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct xfer *x = ctx;
	nk_err e = NK_OK;
	if (data)
		e = sink_write(&x->out, data, len, 1, errmsg);
	else
		sink_moved(&x->out, len);
	if (!e)
		progress_update(&x->prog, x->out.written, x->expect);
	return e;
}

static int
on_body_fd(void *ctx, const char **name)
{
	struct xfer *x = ctx;
	return sink_splice_fd(&x->out, name);
}

static nk_err
on_flush(void *ctx, char *errmsg)
{
	(void)ctx;
	return sink_flush(errmsg);
}

static nk_err
on_restart(void *ctx, int64_t *resume_from, char *errmsg)
{
	struct xfer *x = ctx;
	progress_end(&x->prog);
	if (x->out.append && x->out.fd != STDOUT_FILENO) {
		/* A resumed file keeps what it got: ask for the rest. */
		*resume_from = x->out.start_size + (int64_t)x->out.written;
		x->out.start_size = *resume_from;
		x->out.written = 0;
		return NK_OK;
	}
	return sink_rewind(&x->out, errmsg);
}

/* Joins --output-dir and a relative name. Caller frees. */
static char *
out_path(const struct cfg *c, const char *name)
{
	if (!c->output_dir || name[0] == '/' || strcmp(name, "-") == 0)
		return strdup(name);
	size_t n = strlen(c->output_dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", c->output_dir,
		         c->output_dir[strlen(c->output_dir) - 1] == '/' ? "" : "/",
		         name);
	return p;
}

static void
report(const struct cfg *c, int code, const char *msg)
{
	if (c->silent && !c->show_error)
		return;
	tool_fail((nk_err)code, msg);
}

/* The request for URL i; start_size is what a file resumed with -C -
 * already has. */
static void
fill_request(const struct cfg *c, size_t i, int64_t start_size,
             nk_fetch_request *rq)
{
	memset(rq, 0, sizeof *rq);
	rq->url = c->urls.v[i];
	rq->default_scheme = c->default_scheme;
	rq->method = c->method ? c->method : i < c->uploads.n ? "PUT"
	             : c->body ? "POST" : c->head ? "HEAD" : NULL;
	rq->body = c->body;
	rq->accept = c->accept;
	rq->post301 = c->post301;
	rq->post302 = c->post302;
	rq->post303 = c->post303;
	rq->expect100_timeout_ms = c->expect100_ms;
	rq->http10 = c->http10;
	rq->headers = c->headers.v;
	rq->nheaders = c->headers.n;
	rq->user_agent = c->user_agent;
	rq->userpass = c->user;
	rq->netrc_file = c->netrc.file;
	rq->netrc_optional = c->netrc.optional;
	rq->referer = c->referer;
	rq->auto_referer = c->auto_referer;
	rq->cookies = c->ck.jar;
	rq->cookie = c->ck.string;
	rq->follow = c->location;
	rq->max_redirs = !c->max_redirs_set ? 0 : c->max_redirs == 0
	                 ? NK_FETCH_REDIRS_NONE : c->max_redirs;
	rq->compressed = c->compressed;
	rq->resume_from = c->resume == 1 ? start_size
	                  : c->resume == 2 ? c->resume_offset : -1;
	rq->max_filesize = c->max_filesize;
	rq->fail = c->fail && !c->fail_with_body;
	rq->max_time_ms = c->max_time_ms;
	rq->retry = (int)c->retry;
	rq->retry_delay_ms = c->retry_delay_ms;
	rq->retry_max_time_ms = c->retry_max_time_ms;
	rq->retry_connrefused = c->retry_connrefused;
	rq->retry_all_errors = c->retry_all;
	const struct host_sec *s = section_for(c, i);
	if (s) {
		rq->headers = s->headers.v;
		rq->nheaders = s->headers.n;
		if (s->cfg->user_agent)
			rq->user_agent = s->cfg->user_agent;
		if (s->cfg->user)
			rq->userpass = s->cfg->user;
		if (s->cfg->referer)
			rq->referer = s->cfg->referer;
	}
}

static void
on_sent(void *ctx, uint64_t bytes, int64_t total)
{
	struct xfer *x = ctx;
	progress_upload(&x->prog, bytes, total);
}

static int
run_one(nk_fetch *f, const struct cfg *c, size_t i, FILE *dump)
{
	const char *url = c->urls.v[i];
	char errmsg[NK_ERR_MSG_LEN] = "";
	char *path = NULL;
	int e = 0;
	struct xfer x;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.dump = dump;
	x.dump_tty = dump && show_isatty(fileno(dump));
	x.err_colour = show_colour(stderr);
	x.expect = -1;
	/* A file to send that is not there fails before any connection. */
	struct upload up;
	memset(&up, 0, sizeof up);
	up.fd = -1;
	if (i < c->uploads.n &&
	    (e = upload_open(&up, c->uploads.v[i], url, errmsg)) != 0)
		goto done_early;
	/* Every URL gets the whole body: a form the last transfer read
	 * starts over. */
	if (i > 0 && c->body && c->body->rewind &&
	    (e = c->body->rewind(c->body->ctx, errmsg)) != 0)
		goto done_early;

	const char *o = i < c->outputs.n && c->outputs.v[i] ? c->outputs.v[i]
	                : c->remote_all ? OUT_REMOTE : NULL;
	if (o == OUT_REMOTE) {
		char *name = remote_name(url, c->default_scheme, &e, errmsg);
		if (!name)
			goto done_early;
		path = out_path(c, name);
		free(name);
	} else if (o) {
		path = out_path(c, o);
	}
	if (o && !path) {
		e = NK_ERR_OUT_OF_MEMORY;
		goto done_early;
	}
	e = sink_open(&x.out, path, (c->resume ? SINK_APPEND : 0) |
	              (c->no_clobber ? SINK_NO_CLOBBER : 0) |
	              (c->remove_on_error ? SINK_REMOVE_ON_ERROR : 0), errmsg);
	if (e)
		goto done_early;

	nk_fetch_request rq;
	fill_request(c, i, x.out.start_size, &rq);
	if (i < c->uploads.n) {
		rq.body = &up.body;
		if (up.url)
			rq.url = up.url;
	}

	nk_fetch_callbacks cb = { &x, on_trace, on_head, on_body, on_restart,
	                          on_body_fd, on_flush, on_trailers, on_sent };
	/* The meter shares the terminal with nothing: not when the body goes
	 * to it, nor with -s. */
	progress_start(&x.prog, !c->silent && !c->no_progress && !x.out.tty &&
	               show_isatty(STDERR_FILENO));
	nk_fetch_result res;
	e = nk_fetch_run(f, &rq, &cb, &res, errmsg);
	progress_end(&x.prog);
	if (!e && c->fail_with_body && x.status >= 400) {
		e = NK_ERR_HTTP_RETURNED_ERROR;
		snprintf(errmsg, sizeof errmsg, "The requested URL returned "
		         "error: %d", x.status);
	}
	if (!e || (e == NK_ERR_HTTP_RETURNED_ERROR && c->fail_with_body &&
	           !c->remove_on_error)) {
		char cmsg[NK_ERR_MSG_LEN];
		int ce = sink_commit(&x.out, cmsg);
		if (ce && !e) {
			e = ce;
			memcpy(errmsg, cmsg, sizeof errmsg);
		}
	} else {
		sink_abort(&x.out);
	}
	if (e)
		report(c, e, errmsg);
	/* -w writes with stdio, after the body. */
	if (c->write_out) {
		char fmsg[NK_ERR_MSG_LEN];
		int fe = sink_flush(fmsg);
		if (fe && !e) {
			e = fe;
			memcpy(errmsg, fmsg, sizeof errmsg);
			report(c, e, errmsg);
		}
	}
	struct wo_info w = { &res, url, (int)c->urlnum[i], x.out.taken ? x.out.taken : path,
	                     e, errmsg, c->referer, c->auto_referer };
	writeout_print(&w);
	nk_fetch_result_clear(&res);
	free(x.out.taken);
	free(path);
	upload_close(&up);
	return e;

done_early:
	upload_close(&up);
	report(c, e, errmsg);
	{
		nk_fetch_result none;
		memset(&none, 0, sizeof none);
		struct wo_info w0 = { &none, url, (int)c->urlnum[i], path, e, errmsg,
		                      c->referer, c->auto_referer };
		writeout_print(&w0);
	}
	free(path);
	return e;
}

/* The proxy settings from the command line, else the environment, as
 * curl reads them: http_proxy only in lower case (HTTP_PROXY can be set by
 * a CGI client), the others in either case. */
static const char *
env2(const char *lower, const char *upper)
{
	const char *v = getenv(lower);
	if ((!v || !*v) && upper)
		v = getenv(upper);
	return v && *v ? v : NULL;
}

/* Two options that each set the method: curl's usage error. */
static int
method_clash(const char *a, const char *b)
{
	tool_msg("You can only select one HTTP request method! You asked for "
	         "both %s and %s.", a, b);
	return NK_ERR_FAILED_INIT;
}

static void
version_hook(void)
{
	printf("%s, zlib %s\n", nk_tls_library_version(), zlibVersion());
}

int
main(int argc, char **argv)
{
	tool_init(argc, argv);
	tool_code_in_msgs = 1;
	tool_version_hook = version_hook;
	size_t nl = strlen(tool_name);
	int https = nl >= 5 && strcmp(tool_name + nl - 5, "https") == 0;
	struct cfg c;
	memset(&c, 0, sizeof c);
	c.default_scheme = https ? "https" : "http";
	int e = parse_args(&c, argc, argv, https ? &tool_https : &tool_http);
	const char *put = "PUT (-T, --upload-file)";
	const char *post = c.data.nparts ? "multipart formpost (-F, --form)"
	                   : "POST (-d, --data)";
	if (!e && c.uploads.n && c.body)
		e = method_clash(put, post);
	else if (!e && c.head && (c.uploads.n || c.body))
		e = method_clash(c.uploads.n ? put : post, "HEAD (-I, --head)");
	if (e) {
		cfg_free(&c);
		return e;
	}
	sink_signals();

	nk_fetch_config fc;
	memset(&fc, 0, sizeof fc);
	fc.net = c.na.net;
	fc.tls = c.na.tls;
	if (c.proxy_set) {
		fc.http_proxy = fc.https_proxy = c.proxy;
	} else {
		const char *all = env2("all_proxy", "ALL_PROXY");
		fc.http_proxy = env2("http_proxy", NULL);
		fc.https_proxy = env2("https_proxy", "HTTPS_PROXY");
		if (!fc.http_proxy)
			fc.http_proxy = all;
		if (!fc.https_proxy)
			fc.https_proxy = all;
	}
	fc.no_proxy = c.noproxy ? c.noproxy : env2("no_proxy", "NO_PROXY");

	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_fetch *f;
	e = cookies_open(&c.ck, errmsg);
	if (!e)
		e = nk_fetch_new(&fc, &f, errmsg);
	if (e) {
		report(&c, e, errmsg);
		cfg_free(&c);
		return e;
	}

	FILE *dump = NULL;
	if (c.dump_header) {
		dump = strcmp(c.dump_header, "-") == 0 ? stdout
		       : fopen(c.dump_header, "w");
		if (!dump) {
			snprintf(errmsg, sizeof errmsg, "cannot write %s: %s",
			         c.dump_header, strerror(errno));
			report(&c, NK_ERR_WRITE_ERROR, errmsg);
			nk_fetch_free(f);
			cfg_free(&c);
			return NK_ERR_WRITE_ERROR;
		}
	}

	/* --pipeline: the requests go ahead as they can. With -C - each
	 * depends on its file's size, known only at its turn: not
	 * pipelined. */
	for (size_t i = 0; i < c.nsecs && !e; i++) {
		nk_fetch_config sfc = fc;
		sfc.tls = c.secs[i].tls;
		if (c.secs[i].has_tls && (e = nk_fetch_new(&sfc, &c.secs[i].f,
		                                           errmsg)) != 0) {
			report(&c, e, errmsg);
			nk_fetch_free(f);
			cfg_free(&c);
			return e;
		}
	}
	if (c.pipeline && c.resume != 1 && c.urls.n > 1 && !sections_tls(&c)) {
		nk_fetch_request *rqs = calloc(c.urls.n, sizeof *rqs);
		if (!rqs) {
			report(&c, NK_ERR_OUT_OF_MEMORY, "out of memory");
			nk_fetch_free(f);
			cfg_free(&c);
			return NK_ERR_OUT_OF_MEMORY;
		}
		for (size_t i = 0; i < c.urls.n; i++)
			fill_request(&c, i, 0, &rqs[i]);
		e = nk_fetch_pipeline(f, rqs, c.urls.n, errmsg);
		free(rqs);
		if (e) {
			report(&c, e, errmsg);
			nk_fetch_free(f);
			cfg_free(&c);
			return e;
		}
	}

	/* The exit status is the last failure's: curl reports the last
	 * transfer's, which hides a failed URL followed by a good one. */
	int status = 0;
	for (size_t i = 0; i < c.urls.n; i++) {
		const struct host_sec *s = section_for(&c, i);
		int r = run_one(s && s->f ? s->f : f, &c, i, dump);
		if (r)
			status = r;
		if (r && c.fail_early)
			break;
	}
	nk_fetch_free(f);
	if (dump && dump != stdout && fclose(dump) != 0 && !status) {
		snprintf(errmsg, sizeof errmsg, "writing to %s: %s", c.dump_header,
		         strerror(errno));
		report(&c, NK_ERR_WRITE_ERROR, errmsg);
		status = NK_ERR_WRITE_ERROR;
	}
	int fe = sink_flush(errmsg);
	if (fe) {
		if (!status)
			report(&c, fe, errmsg);
	} else {
		fe = tool_flush_stdout();
	}
	if (fe && !status)
		status = fe;
	cfg_free(&c);
	return status;
}
