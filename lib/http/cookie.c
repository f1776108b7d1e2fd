/* The cookie engine (nk/cookie.h): RFC 6265bis §5 parsing and storage,
 * with curl 7.88's file format and request order. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpsl.h>

#include "nk/cookie.h"
#include "core/internal.h"

/* RFC 6265bis §5.6: name and value together, and one attribute value. */
#define MAX_NAMEVAL 4096
#define MAX_ATTR 1024
/* RFC 6265bis §5.6.1: an expiry is capped at 400 days from now. */
#define MAX_AGE (400LL * 86400)

struct cookie {
	char *name, *value, *domain, *path;
	int64_t expires;            /* 0: a session cookie */
	long created;               /* order of arrival: oldest is smallest */
	unsigned host_only : 1, secure : 1, http_only : 1;
	unsigned samesite : 2;      /* 0 unset, 1 None, 2 Lax, 3 Strict */
};

/* A cookie picked for a header or a file, to sort. */
typedef const struct cookie *cookie_ref;

struct nk_cookie_jar {
	struct cookie *c;
	size_t n, cap;
	long clock;
	const psl_ctx_t *psl;
	int psl_owned;
	/* Transfers run on several threads at once (nk http -Z) share one
	 * jar: nk_cookie_set and nk_cookie_header take this. */
	pthread_mutex_t lock;
};

nk_cookie_jar *
nk_cookie_jar_new(void)
{
	nk_cookie_jar *jar = calloc(1, sizeof(nk_cookie_jar));
	if (jar)
		pthread_mutex_init(&jar->lock, NULL);
	return jar;
}

static void
cookie_free(struct cookie *c)
{
	free(c->name);
	free(c->value);
	free(c->domain);
	free(c->path);
}

void
nk_cookie_jar_free(nk_cookie_jar *jar)
{
	if (!jar)
		return;
	for (size_t i = 0; i < jar->n; i++)
		cookie_free(&jar->c[i]);
	free(jar->c);
	if (jar->psl_owned)
		psl_free((psl_ctx_t *)jar->psl);
	pthread_mutex_destroy(&jar->lock);
	free(jar);
}

size_t
nk_cookie_count(const nk_cookie_jar *jar)
{
	return jar->n;
}

static void
remove_at(nk_cookie_jar *jar, size_t i)
{
	cookie_free(&jar->c[i]);
	memmove(&jar->c[i], &jar->c[i + 1], (jar->n - i - 1) * sizeof *jar->c);
	jar->n--;
}

void
nk_cookie_junk_session(nk_cookie_jar *jar)
{
	for (size_t i = jar->n; i-- > 0;)
		if (!jar->c[i].expires)
			remove_at(jar, i);
}

/* ---- matching (RFC 6265bis §5.1.3, §5.1.4) ---------------------------- */

static int
is_ip(const char *host)
{
	return strchr(host, ':') || strspn(host, "0123456789.") == strlen(host);
}

static int
domain_match(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);
	if (h == d)
		return strcasecmp(host, domain) == 0;
	return h > d && host[h - d - 1] == '.' && !is_ip(host) &&
	       strcasecmp(host + h - d, domain) == 0;
}

/* curl writes the default path with its trailing slash ("/one/") but
 * matches without it: the length that counts. */
static size_t
path_len(const char *p)
{
	size_t n = strlen(p);
	return n > 1 && p[n - 1] == '/' ? n - 1 : n;
}

static int
path_match(const char *req, const char *cpath)
{
	size_t n = path_len(cpath);
	if (strncmp(req, cpath, n) != 0)
		return 0;
	return req[n] == '\0' || req[n] == '/' || cpath[n - 1] == '/';
}

static int
public_suffix(nk_cookie_jar *jar, const char *domain)
{
	if (!jar->psl) {
		/* The newest of the built-in list and the publicsuffix
		 * package's file. */
		jar->psl = psl_latest(NULL);
		jar->psl_owned = jar->psl != NULL;
		if (!jar->psl)
			jar->psl = psl_builtin();
	}
	/* Without any list, refuse every Domain (host-only cookies stay). */
	return !jar->psl || psl_is_public_suffix(jar->psl, domain);
}

/* ---- the cookie date (RFC 6265bis §5.1.1) ----------------------------- */

static int
date_delim(unsigned char c)
{
	return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/* 1 to `max` digits at the start of a token, then anything but a digit
 * when `rest` allows it; -1 if not. */
static int
digits(const char *t, size_t n, size_t min, size_t max, int rest, size_t *used)
{
	size_t i = 0;
	int v = 0;
	while (i < n && i < max && isdigit((unsigned char)t[i]))
		v = v * 10 + (t[i++] - '0');
	if (i < min || (i < n && isdigit((unsigned char)t[i])) || (!rest && i != n))
		return -1;
	*used = i;
	return v;
}

static int
time_token(const char *t, size_t n, int hms[3])
{
	size_t u, off = 0;
	for (int k = 0; k < 3; k++) {
		int v = digits(t + off, n - off, 1, 2, 1, &u);
		if (v < 0)
			return 0;
		hms[k] = v;
		off += u;
		if (k < 2) {
			if (off >= n || t[off] != ':')
				return 0;
			off++;
		}
	}
	return 1;
}

static int64_t
parse_date(const char *s, size_t len)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int hms[3] = { 0 }, day = -1, mon = -1, year = -1, have_time = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && date_delim((unsigned char)s[i]))
			i++;
		size_t st = i;
		while (i < len && !date_delim((unsigned char)s[i]))
			i++;
		const char *t = s + st;
		size_t n = i - st, u;
		int v;
		if (!n)
			continue;
		if (!have_time && time_token(t, n, hms)) {
			have_time = 1;
		} else if (day < 0 && (v = digits(t, n, 1, 2, 1, &u)) >= 0) {
			day = v;
		} else if (mon < 0 && n >= 3 && isalpha((unsigned char)t[0])) {
			for (int m = 0; m < 12; m++)
				if (strncasecmp(t, months + 3 * m, 3) == 0)
					mon = m;
		} else if (year < 0 && (v = digits(t, n, 2, 4, 1, &u)) >= 0) {
			year = v <= 69 ? v + 2000 : v <= 99 ? v + 1900 : v;
		}
	}
	if (!have_time || day < 1 || day > 31 || mon < 0 || year < 1601 ||
	    hms[0] > 23 || hms[1] > 59 || hms[2] > 59)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = hms[0];
	tm.tm_min = hms[1];
	tm.tm_sec = hms[2];
	time_t t = timegm(&tm);
	/* A day past the month's end (Feb 30) is no date. */
	return tm.tm_mday == day ? (int64_t)t : -1;
}

/* ---- Set-Cookie (RFC 6265bis §5.6, §5.7) ------------------------------ */

struct span {
	const char *p;
	size_t n;
};

static struct span
trim(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return (struct span){ p, n };
}

/* Control bytes (§5.6 refuses them); a tab too, which §5.6 lets through
 * but would split the line of the cookie file. */
static int
has_ctl(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

static int
is(struct span s, const char *word)
{
	return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

static char *
dup_lower(struct span s, int lower)
{
	char *d = strndup(s.p, s.n);
	if (d && lower)
		for (char *q = d; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return d;
}

/* The default path (§5.1.4), as curl keeps it: the directory of the
 * request path with its slash ("/one/x" -> "/one/"). */
static char *
default_path(const char *req)
{
	const char *slash = req[0] == '/' ? strrchr(req, '/') : NULL;
	if (!slash || slash == req)
		return strdup("/");
	return strndup(req, (size_t)(slash - req) + 1);
}

/* The attributes after the name=value pair. */
struct attrs {
	struct span domain, path;
	int have_domain, have_path, secure, http_only, samesite;
	int have_maxage;
	int64_t maxage, expires;
};

static void
attr(struct attrs *a, struct span key, struct span val)
{
	if (val.n > MAX_ATTR)
		return;
	if (is(key, "expires")) {
		int64_t t = parse_date(val.p, val.n);
		if (t != -1)
			a->expires = t;
	} else if (is(key, "max-age")) {
		size_t i = val.n && val.p[0] == '-';
		if (i == val.n)
			return;
		int64_t v = 0;
		for (size_t k = i; k < val.n; k++) {
			if (!isdigit((unsigned char)val.p[k]))
				return;
			if (v < MAX_AGE)
				v = v * 10 + (val.p[k] - '0');
		}
		a->maxage = i ? -1 : v;
		a->have_maxage = 1;
	} else if (is(key, "domain")) {
		if (val.n && val.p[0] == '.')
			val.p++, val.n--;
		a->domain = val;
		a->have_domain = 1;
	} else if (is(key, "path")) {
		a->path = val;
		a->have_path = val.n && val.p[0] == '/' && !has_ctl(val);
	} else if (is(key, "secure")) {
		a->secure = 1;
	} else if (is(key, "httponly")) {
		a->http_only = 1;
	} else if (is(key, "samesite")) {
		a->samesite = is(val, "none") ? 1 : is(val, "lax") ? 2
		              : is(val, "strict") ? 3 : a->samesite;
	}
}

static void
parse_attrs(const char *p, const char *end, struct attrs *a)
{
	memset(a, 0, sizeof *a);
	a->expires = -1;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		struct span key = trim(p, (size_t)((eq ? eq : stop) - p));
		struct span val = eq ? trim(eq + 1, (size_t)(stop - eq - 1))
		                     : (struct span){ "", 0 };
		attr(a, key, val);
		p = semi ? semi + 1 : end;
	}
}

static int64_t
expiry(const struct attrs *a, int64_t now)
{
	if (a->have_maxage)
		return a->maxage <= 0 ? 1
		       : now + (a->maxage < MAX_AGE ? a->maxage : MAX_AGE);
	if (a->expires == -1)
		return 0;
	if (a->expires > now + MAX_AGE)
		return now + MAX_AGE;
	/* The past, as 1: expiry 0 means "session". */
	return a->expires > 0 ? a->expires : 1;
}

static int
same_cookie(const struct cookie *a, const struct cookie *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       strcasecmp(a->domain, b->domain) == 0 &&
	       a->host_only == b->host_only && strcmp(a->path, b->path) == 0;
}

/* §5.7 steps 14-16 (bis): an http origin may not shadow a Secure cookie
 * whose domain and path cover the new one. */
static int
shadows_secure(const nk_cookie_jar *jar, const struct cookie *c)
{
	for (size_t i = 0; i < jar->n; i++) {
		const struct cookie *o = &jar->c[i];
		if (o->secure && strcmp(o->name, c->name) == 0 &&
		    (domain_match(c->domain, o->domain) ||
		     domain_match(o->domain, c->domain)) &&
		    path_match(c->path, o->path))
			return 1;
	}
	return 0;
}

/* Puts c in the jar (taking its strings), replacing an equal one and
 * keeping that one's age, as curl does. */
static nk_cookie_verdict
store(nk_cookie_jar *jar, struct cookie *c, int64_t now)
{
	int expired = c->expires && c->expires <= now;
	for (size_t i = 0; i < jar->n; i++) {
		if (!same_cookie(&jar->c[i], c))
			continue;
		if (expired) {
			remove_at(jar, i);
			cookie_free(c);
			return NK_COOKIE_DELETED;
		}
		c->created = jar->c[i].created;
		cookie_free(&jar->c[i]);
		jar->c[i] = *c;
		return NK_COOKIE_STORED;
	}
	if (expired) {
		cookie_free(c);
		return NK_COOKIE_DELETED;
	}
	if (jar->n == jar->cap) {
		size_t cap = jar->cap ? jar->cap * 2 : 16;
		struct cookie *nc = realloc(jar->c, cap * sizeof *nc);
		if (!nc) {
			cookie_free(c);
			return NK_COOKIE_REJECTED;
		}
		jar->c = nc;
		jar->cap = cap;
	}
	c->created = ++jar->clock;
	jar->c[jar->n++] = *c;
	return NK_COOKIE_STORED;
}

/* Domain (§5.7 steps 5-8): sets c->domain and host_only; 0 to refuse. */
static int
take_domain(nk_cookie_jar *jar, const nk_cookie_req *rq,
            const struct attrs *a, struct cookie *c)
{
	struct span d = a->domain;
	c->host_only = 1;
	if (a->have_domain && d.n) {
		c->domain = dup_lower(d, 1);
		if (!c->domain)
			return 0;
		if (public_suffix(jar, c->domain)) {
			/* A public suffix is only ever its own host's. */
			if (strcasecmp(c->domain, rq->host) != 0)
				return 0;
		} else if (!domain_match(rq->host, c->domain)) {
			return 0;
		} else {
			c->host_only = strcasecmp(c->domain, rq->host) == 0 &&
			               is_ip(rq->host);
		}
		return 1;
	}
	c->domain = strdup(rq->host);
	return c->domain != NULL;
}

static nk_cookie_verdict
cookie_set(nk_cookie_jar *jar, const nk_cookie_req *rq, const char *value,
           size_t len)
{
	const char *end = value + len;
	const char *semi = memchr(value, ';', len);
	const char *nv_end = semi ? semi : end;
	const char *eq = memchr(value, '=', (size_t)(nv_end - value));
	/* A host has no empty label first: the file could not say it. */
	if (!eq || !*rq->host || *rq->host == '.' ||
	    has_ctl((struct span){ rq->host, strlen(rq->host) }) ||
	    has_ctl((struct span){ rq->path, strlen(rq->path) }))
		return NK_COOKIE_REJECTED;
	struct span name = trim(value, (size_t)(eq - value));
	struct span val = trim(eq + 1, (size_t)(nv_end - eq - 1));
	if ((!name.n && !val.n) || name.n + val.n > MAX_NAMEVAL ||
	    has_ctl(name) || has_ctl(val) || memchr(value, '\0', len))
		return NK_COOKIE_REJECTED;
	struct attrs a;
	parse_attrs(semi ? semi + 1 : end, end, &a);
	/* §5.7 step 9 (bis): Secure only from a secure origin. */
	if (a.secure && !rq->secure)
		return NK_COOKIE_REJECTED;
	/* §4.1.3: the __Secure- and __Host- prefixes. */
	int host_prefix = name.n >= 7 && strncmp(name.p, "__Host-", 7) == 0;
	if ((host_prefix || (name.n >= 9 && strncmp(name.p, "__Secure-", 9) == 0)) &&
	    !a.secure)
		return NK_COOKIE_REJECTED;
	if (host_prefix && (a.have_domain || !a.have_path || !is(a.path, "/")))
		return NK_COOKIE_REJECTED;
	struct cookie c;
	memset(&c, 0, sizeof c);
	c.name = dup_lower(name, 0);
	c.value = dup_lower(val, 0);
	c.path = a.have_path ? dup_lower(a.path, 0)
	                     : default_path(*rq->path ? rq->path : "/");
	if (!c.name || !c.value || !c.path || !take_domain(jar, rq, &a, &c) ||
	    (!rq->secure && shadows_secure(jar, &c))) {
		cookie_free(&c);
		return NK_COOKIE_REJECTED;
	}
	c.expires = expiry(&a, rq->now);
	c.secure = a.secure != 0;
	c.http_only = a.http_only != 0;
	c.samesite = (unsigned)a.samesite & 3;
	return store(jar, &c, rq->now);
}

/* ---- the Cookie header (§5.8.3), in curl's order ---------------------- */

static int
cookie_order(const void *x, const void *y)
{
	cookie_ref a = *(const cookie_ref *)x, b = *(const cookie_ref *)y;
	/* The path as kept ("/x/" before "/x"), as curl sorts. */
	size_t la = strlen(a->path), lb = strlen(b->path);
	if (la != lb)
		return la > lb ? -1 : 1;
	la = strlen(a->domain), lb = strlen(b->domain);
	if (la != lb)
		return la > lb ? -1 : 1;
	la = strlen(a->name), lb = strlen(b->name);
	if (la != lb)
		return la > lb ? -1 : 1;
	return a->created > b->created ? -1 : a->created < b->created;
}

static int
matches(const struct cookie *c, const nk_cookie_req *rq)
{
	const char *path = *rq->path ? rq->path : "/";
	if (c->expires && c->expires <= rq->now)
		return 0;
	if (c->secure && !rq->secure)
		return 0;
	if (c->host_only ? strcasecmp(rq->host, c->domain) != 0
	                 : !domain_match(rq->host, c->domain))
		return 0;
	return path_match(path, c->path);
}

nk_cookie_verdict
nk_cookie_set(nk_cookie_jar *jar, const nk_cookie_req *rq, const char *value,
              size_t len)
{
	pthread_mutex_lock(&jar->lock);
	nk_cookie_verdict v = cookie_set(jar, rq, value, len);
	pthread_mutex_unlock(&jar->lock);
	return v;
}

static char *
cookie_header(const nk_cookie_jar *jar, const nk_cookie_req *rq)
{
	cookie_ref *m = jar->n ? malloc(jar->n * sizeof(cookie_ref)) : NULL;
	size_t n = 0, len = 1;
	if (!m)
		return NULL;
	for (size_t i = 0; i < jar->n; i++)
		if (matches(&jar->c[i], rq)) {
			m[n++] = &jar->c[i];
			len += strlen(jar->c[i].name) + strlen(jar->c[i].value) + 3;
		}
	char *out = n ? malloc(len) : NULL;
	if (out) {
		qsort(m, n, sizeof(cookie_ref), cookie_order);
		char *p = out;
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "%s%s=%s", i ? "; " : "", m[i]->name,
			             m[i]->value);
	}
	free(m);
	return out;
}

char *
nk_cookie_header(const nk_cookie_jar *jar, const nk_cookie_req *rq)
{
	pthread_mutex_t *lock = &((nk_cookie_jar *)jar)->lock;
	pthread_mutex_lock(lock);
	char *h = cookie_header(jar, rq);
	pthread_mutex_unlock(lock);
	return h;
}

/* ---- the Netscape file -------------------------------------------------- */

/* Splits a line at tabs into at most 7 fields; the count. */
static int
fields(char *line, char *f[7])
{
	int n = 0;
	for (char *p = line; n < 7;) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* One line of a cookie file; 0 when out of memory. */
static int
load_line(nk_cookie_jar *jar, char *line, int64_t now)
{
	int http_only = strncmp(line, "#HttpOnly_", 10) == 0;
	if (http_only)
		line += 10;
	char *f[7];
	int nf = line[0] == '#' ? 0 : fields(line, f);
	if (nf < 6)
		return 1;
	const char *dom = f[0][0] == '.' ? f[0] + 1 : f[0];
	char *endp;
	long long exp = strtoll(f[4], &endp, 10);
	if (!*dom || *dom == '.' || *endp || exp < 0 || f[2][0] != '/')
		return 1;
	struct cookie c;
	memset(&c, 0, sizeof c);
	c.host_only = strcasecmp(f[1], "TRUE") != 0;
	c.secure = strcasecmp(f[3], "TRUE") == 0;
	c.http_only = http_only != 0;
	c.expires = exp;
	c.domain = dup_lower((struct span){ dom, strlen(dom) }, 1);
	c.path = strdup(f[2]);
	c.name = strdup(f[5]);
	c.value = strdup(nf == 7 ? f[6] : "");
	if (!c.domain || !c.path || !c.name || !c.value) {
		cookie_free(&c);
		return 0;
	}
	return store(jar, &c, now) != NK_COOKIE_REJECTED;
}

nk_err
nk_cookie_load_buf(nk_cookie_jar *jar, const char *text, size_t len,
                   int64_t now, char *errmsg)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (n && p[n - 1] == '\r')
			n--;
		char *line = strndup(p, n);
		int ok = line && load_line(jar, line, now);
		free(line);
		if (!ok)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		p = nl ? nl + 1 : end;
	}
	return NK_OK;
}

static int
newest_first(const void *x, const void *y)
{
	cookie_ref a = *(const cookie_ref *)x, b = *(const cookie_ref *)y;
	return a->created > b->created ? -1 : a->created < b->created;
}

char *
nk_cookie_format(const nk_cookie_jar *jar, int64_t now)
{
	static const char head[] = "# Netscape HTTP Cookie File\n"
		"# https://curl.se/docs/http-cookies.html\n"
		"# This file was generated by libcurl! Edit at your own risk.\n\n";
	char *buf = NULL;
	size_t size = 0;
	FILE *mf = open_memstream(&buf, &size);
	cookie_ref *v = malloc((jar->n + 1) * sizeof(cookie_ref));
	if (!mf || !v) {
		if (mf)
			fclose(mf);
		free(buf);
		free(v);
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < jar->n; i++)
		if (!jar->c[i].expires || jar->c[i].expires > now)
			v[n++] = &jar->c[i];
	qsort(v, n, sizeof(cookie_ref), newest_first);
	fputs(head, mf);
	for (size_t i = 0; i < n; i++) {
		const struct cookie *c = v[i];
		fprintf(mf, "%s%s%s\t%s\t%s\t%s\t%lld\t%s\t%s\n",
		        c->http_only ? "#HttpOnly_" : "",
		        c->host_only ? "" : ".", c->domain,
		        c->host_only ? "FALSE" : "TRUE", c->path,
		        c->secure ? "TRUE" : "FALSE", (long long)c->expires,
		        c->name, c->value);
	}
	free(v);
	if (fclose(mf) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

nk_err
nk_cookie_save(const nk_cookie_jar *jar, const char *path, int64_t now,
               char *errmsg)
{
	char *text = nk_cookie_format(jar, now);
	size_t plen = strlen(path);
	char *tmp = text ? malloc(plen + 16) : NULL;
	if (!tmp) {
		free(text);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	/* The temporary file sits beside the jar, so rename() replaces the
	 * jar at once and a reader sees the old file or the new one whole. */
	snprintf(tmp, plen + 16, "%s.nk-XXXXXX", path);
	int fd = mkstemp(tmp);
	nk_err e = NK_OK;
	if (fd < 0) {
		e = nk_fail(errmsg, NK_ERR_WRITE_ERROR, "cookie jar %.200s: %s",
		            path, strerror(errno));
	} else {
		size_t len = strlen(text), off = 0;
		while (off < len) {
			ssize_t w = write(fd, text + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		int err = off < len ? errno : 0;
		if (close(fd) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, path) != 0)
			err = errno;
		if (err) {
			unlink(tmp);
			e = nk_fail(errmsg, NK_ERR_WRITE_ERROR, "cookie jar %.200s: %s",
			            path, strerror(err));
		}
	}
	free(tmp);
	free(text);
	return e;
}
