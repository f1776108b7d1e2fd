/* dns: names to addresses with a real deadline, curl's --resolve and
 * --connect-to overrides, and the RFC 8305 ordering connect uses. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "nk/task.h"
#include "core/internal.h"
#include "net/net_int.h"
#include "nk/text.h"

/* Copies text for an error message under the rule of nk/text.h: names
 * come from users and from the network. */
static const char *
printable(const char *in, char *buf, size_t len)
{
	nk_text_escape_to(buf, len, in, strlen(in), 0);
	return buf;
}

/* Takes one host field at s, "[v6]" or text up to the next ':', into buf.
 * Returns where the field ends (at ':' or the end), or NULL. */
static const char *
take_host(const char *s, char *buf, size_t len)
{
	const char *start = s, *end, *next;
	if (*s == '[') {
		start = s + 1;
		end = strchr(start, ']');
		if (!end)
			return NULL;
		next = end + 1;
		if (*next != ':' && *next != '\0')
			return NULL;
	} else {
		end = s + strcspn(s, ":");
		next = end;
	}
	size_t n = (size_t)(end - start);
	if (n >= len)
		return NULL;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return next;
}

/* Takes a port field (1..65535) ending at ':' or the end. An empty field
 * gives -1 if allowed, as does "*" if allowed. */
static const char *
take_port(const char *s, int *port, int allow_empty, int allow_star)
{
	if (*s == ':' || *s == '\0') {
		*port = -1;
		return allow_empty ? s : NULL;
	}
	if (*s == '*') {
		*port = -1;
		return allow_star && (s[1] == ':' || s[1] == '\0') ? s + 1 : NULL;
	}
	long v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 65535)
			return NULL;
	}
	if (p == s || v == 0 || (*p != ':' && *p != '\0'))
		return NULL;
	*port = (int)v;
	return p;
}

/* Fills a from a socket address, setting the port. */
static void
fill_addr(nk_addr *a, const struct sockaddr *sa, socklen_t len, int port,
          nk_addr_source source)
{
	memset(a, 0, sizeof *a);
	if (len > sizeof a->sa)
		len = sizeof a->sa;
	memcpy(&a->sa, sa, len);
	a->len = len;
	a->source = source;
	if (sa->sa_family == AF_INET6) {
		((struct sockaddr_in6 *)&a->sa)->sin6_port = htons((uint16_t)port);
		a->family = 6;
	} else {
		((struct sockaddr_in *)&a->sa)->sin_port = htons((uint16_t)port);
		a->family = 4;
	}
	nk_addr_str((const struct sockaddr *)&a->sa, a->str, sizeof a->str);
}

/* Parses a numeric address (IPv6 in brackets or not, maybe with a %scope)
 * without any lookup. Returns 0, or -1 if s is not one. */
static int
numeric_addr(const char *s, size_t n, int port, nk_addr_source source,
             nk_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 64];
	int bracketed = n >= 2 && s[0] == '[' && s[n - 1] == ']';
	if (bracketed) {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = bracketed ? AF_INET6 : AF_UNSPEC;
	if (getaddrinfo(buf, NULL, &hints, &res) != 0 || !res)
		return -1;
	fill_addr(a, res->ai_addr, res->ai_addrlen, port, source);
	freeaddrinfo(res);
	return 0;
}

/* Reads a --resolve entry's comma-separated addresses, with port, into v
 * (room for all of them), or with v NULL only checks and counts them.
 * Returns how many there are, or -1 at the first that is no numeric
 * address, with *bad and *badlen naming it. */
static long
resolve_addrs(const char *addrs, int port, nk_addr *v, const char **bad,
              size_t *badlen)
{
	long n = 0;
	for (const char *a = addrs;; n++) {
		size_t len = strcspn(a, ",");
		nk_addr tmp;
		if (numeric_addr(a, len, port, NK_ADDR_OVERRIDE,
		                 v ? &v[n] : &tmp) != 0) {
			*bad = a;
			*badlen = len;
			return -1;
		}
		if (a[len] == '\0')
			return n + 1;
		a += len + 1;
	}
}

nk_err
nk_resolve_entry_parse(const char *entry, struct nk_resolve_entry *r,
                       char *errmsg)
{
	char show[128];
	const char *p = entry;
	memset(r, 0, sizeof *r);
	if (*p == '+')
		p++;
	else if (*p == '-') {
		r->remove = 1;
		p++;
	}
	p = take_host(p, r->host, sizeof r->host);
	if (!p || !r->host[0] || *p != ':')
		goto bad;
	p = take_port(p + 1, &r->port, 0, 1);
	if (!p)
		goto bad;
	if (r->remove) {
		if (*p != '\0')
			goto bad;
		return NK_OK;
	}
	if (*p != ':' || p[1] == '\0')
		goto bad;
	r->addrs = p + 1;
	const char *a;
	size_t n;
	if (resolve_addrs(r->addrs, 0, NULL, &a, &n) < 0) {
		char one[80];
		snprintf(one, sizeof one, "%.*s", (int)(n < 64 ? n : 64), a);
		return nk_fail(errmsg, NK_ERR_SETOPT_OPTION_SYNTAX,
		               "bad --resolve entry '%s': '%s' is not an IP address",
		               printable(entry, show, sizeof show),
		               printable(one, show + 96, sizeof show - 96));
	}
	return NK_OK;
bad:
	return nk_fail(errmsg, NK_ERR_SETOPT_OPTION_SYNTAX,
	               "bad --resolve entry '%s': expected HOST:PORT:ADDR[,ADDR...]",
	               printable(entry, show, sizeof show));
}

nk_err
nk_connect_to_parse(const char *entry, struct nk_connect_to_entry *c,
                    char *errmsg)
{
	char show[128];
	const char *p;
	memset(c, 0, sizeof *c);
	p = take_host(entry, c->from_host, sizeof c->from_host);
	if (!p || *p != ':')
		goto bad;
	p = take_port(p + 1, &c->from_port, 1, 0);
	if (!p || *p != ':')
		goto bad;
	p = take_host(p + 1, c->to_host, sizeof c->to_host);
	if (!p || *p != ':')
		goto bad;
	p = take_port(p + 1, &c->to_port, 1, 0);
	if (!p || *p != '\0')
		goto bad;
	return NK_OK;
bad:
	return nk_fail(errmsg, NK_ERR_SETOPT_OPTION_SYNTAX,
	               "bad --connect-to entry '%s': expected HOST1:PORT1:HOST2:PORT2 "
	               "(IPv6 addresses in brackets)",
	               printable(entry, show, sizeof show));
}

/* Host names compare without case and without brackets. */
static int
same_host(const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b);
	if (al >= 2 && a[0] == '[' && a[al - 1] == ']') {
		a++;
		al -= 2;
	}
	if (bl >= 2 && b[0] == '[' && b[bl - 1] == ']') {
		b++;
		bl -= 2;
	}
	return al == bl && strncasecmp(a, b, al) == 0;
}

nk_err
nk_connect_to_apply(const nk_netopts *o, const char *host, int port,
                    char *out, size_t outlen, int *outport, char *errmsg)
{
	const char *to = host;
	*outport = port;
	for (size_t i = 0; o && i < o->nconnect_to; i++) {
		struct nk_connect_to_entry c;
		nk_err e = nk_connect_to_parse(o->connect_to[i], &c, errmsg);
		if (e)
			return e;
		if ((c.from_host[0] && !same_host(c.from_host, host)) ||
		    (c.from_port != -1 && c.from_port != port))
			continue;
		/* The entry's own copy dies with this loop: copy out now. */
		if (c.to_host[0])
			snprintf(out, outlen, "%s", c.to_host);
		else
			snprintf(out, outlen, "%s", host);
		if (c.to_port != -1)
			*outport = c.to_port;
		return NK_OK;
	}
	snprintf(out, outlen, "%s", to);
	return NK_OK;
}

static nk_err
check_family(int family, char *errmsg)
{
	if (family != 0 && family != 4 && family != 6)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT,
		               "address family must be 0, 4 or 6, not %d", family);
	return NK_OK;
}

nk_err
nk_netopts_check(const nk_netopts *o, char *errmsg)
{
	if (!o)
		return NK_OK;
	nk_err e = check_family(o->family, errmsg);
	if (e)
		return e;
	if (o->connect_timeout_ms < 0 || o->happy_eyeballs_ms < 0)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "negative timeout");
	for (size_t i = 0; i < o->nresolve; i++) {
		struct nk_resolve_entry r;
		e = nk_resolve_entry_parse(o->resolve[i], &r, errmsg);
		if (e)
			return e;
	}
	for (size_t i = 0; i < o->nconnect_to; i++) {
		struct nk_connect_to_entry c;
		e = nk_connect_to_parse(o->connect_to[i], &c, errmsg);
		if (e)
			return e;
	}
	if (o->source) {
		struct sockaddr_storage ss;
		socklen_t len;
		return nk_source_parse(o->source, &ss, &len, errmsg);
	}
	return NK_OK;
}

void
nk_addr_interleave(nk_addr *v, size_t n)
{
	/* Each position wants the other family than the one before it; pull
	 * the next such address forward, keeping every family's own order.
	 * Once one family runs out the rest stays as it is. */
	for (size_t k = 1; k < n; k++) {
		int want = v[k - 1].family == 6 ? 4 : 6;
		size_t j = k;
		while (j < n && v[j].family != want)
			j++;
		if (j == n)
			break;
		if (j != k) {
			nk_addr t = v[j];
			memmove(&v[k + 1], &v[k], (j - k) * sizeof *v);
			v[k] = t;
		}
	}
}

/* Is the address a duplicate of one of v[0..n)? */
static int
seen(const nk_addr *v, size_t n, const nk_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].len == a->len && memcmp(&v[i].sa, &a->sa, a->len) == 0)
			return 1;
	return 0;
}

/* Keeps the addresses of the wanted family (0: all) and drops repeats. */
static size_t
filter(nk_addr *v, size_t n, int family)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (family && v[i].family != family)
			continue;
		if (seen(v, k, &v[i]))
			continue;
		v[k++] = v[i];
	}
	return k;
}

/* The --resolve entry for host:port, if any: an entry naming the host
 * beats a '*' one, and within each kind the last entry wins ("-HOST:PORT"
 * forgets the ones before it). *addrs is NULL when none applies. */
static nk_err
find_override(const nk_netopts *o, const char *host, int port,
              const char **addrs, char *errmsg)
{
	const char *named = NULL, *wild = NULL;
	for (size_t i = 0; i < o->nresolve; i++) {
		struct nk_resolve_entry r;
		nk_err e = nk_resolve_entry_parse(o->resolve[i], &r, errmsg);
		if (e)
			return e;
		if (r.port != -1 && port != 0 && r.port != port)
			continue;
		int is_wild = strcmp(r.host, "*") == 0;
		if (!is_wild && strcasecmp(r.host, host) != 0)
			continue;
		if (is_wild)
			wild = r.remove ? NULL : r.addrs;
		else
			named = r.remove ? NULL : r.addrs;
	}
	*addrs = named ? named : wild;
	return NK_OK;
}

/* Builds the list from an override's address list (checked already, so
 * every address is one). */
static nk_err
override_list(const char *addrs, int port, nk_addrlist *out, char *errmsg)
{
	const char *bad;
	size_t badlen;
	long n = resolve_addrs(addrs, port, NULL, &bad, &badlen);
	out->v = calloc(n > 0 ? (size_t)n : 1, sizeof *out->v);
	if (!out->v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	n = resolve_addrs(addrs, port, out->v, &bad, &badlen);
	out->n = n > 0 ? (size_t)n : 0;
	return NK_OK;
}

/* A getaddrinfo call handed to a worker thread. Both the caller and the
 * worker hold a reference; the caller may give up at its deadline and
 * leave, and whichever side drops the last reference frees the job. */
struct gai_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	int done;
	int rc;                  /* getaddrinfo's return */
	int err;                 /* errno, for EAI_SYSTEM */
	struct addrinfo *res;
	struct addrinfo hints;
	int64_t delay_ms;        /* test seam, see nk_resolve_delayed */
	int wfd;                 /* a caller in a task (nk/task.h) waits on
	                            the pipe this writes to, or -1 */
	char name[];
};

/* Drops one reference; called with mu held, returns with it released. */
static void
job_put(struct gai_job *j)
{
	int last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	if (j->wfd >= 0)
		close(j->wfd);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *
gai_worker(void *arg)
{
	struct gai_job *j = arg;
	if (j->delay_ms > 0) {
		struct timespec ts = { (time_t)(j->delay_ms / 1000),
		                       (long)(j->delay_ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(j->name, NULL, &j->hints, &res);
	int err = errno;
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->err = err;
	j->res = res;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	if (j->wfd >= 0 && write(j->wfd, "", 1) < 0) {
		/* a full pipe cannot be: one byte, once */
	}
	job_put(j);
	return NULL;
}

/* Runs getaddrinfo for name off this thread and waits for it until the
 * deadline. On NK_OK, *rc is getaddrinfo's result and *res (when *rc is
 * 0) belongs to the caller. */
static nk_err
lookup(const char *name, int family, nk_time deadline, int64_t delay_ms,
       struct addrinfo **res, int *rc, int *err, char *errmsg)
{
	/* A deadline already past fails whatever the worker would have
	 * said: checked only after it starts, the answer would race it. */
	if (deadline != NK_NO_DEADLINE && nk_now() >= deadline)
		return NK_ERR_OPERATION_TIMEDOUT;
	size_t len = strlen(name);
	struct gai_job *j = calloc(1, sizeof *j + len + 1);
	if (!j)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(j->name, name, len + 1);
	/* No AI_ADDRCONFIG: glibc ignores loopback addresses for it, which
	 * would hide ::1 on a host whose only IPv6 is loopback; an address the
	 * host cannot reach fails fast in connect and Happy Eyeballs moves on. */
	j->hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6
	                                                           : AF_UNSPEC;
	j->hints.ai_socktype = SOCK_STREAM;
	j->hints.ai_protocol = IPPROTO_TCP;
	j->delay_ms = delay_ms;
	j->refs = 2;
	/* In a task the wait must not block the thread: the worker says it
	 * is done on a pipe the task set polls. */
	int rfd = -1;
	j->wfd = -1;
	int pfd[2];
	if (nk_task_self() && pipe2(pfd, O_CLOEXEC | O_NONBLOCK) == 0) {
		rfd = pfd[0];
		j->wfd = pfd[1];
	}

	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&j->mu, NULL);

	pthread_attr_t ta;
	pthread_t tid;
	sigset_t all, old;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	/* The worker inherits a mask blocking every signal, so the caller's
	 * signal handling (ppoll masks, sigwait) is never routed to it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int terr = pthread_create(&tid, &ta, gai_worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&ta);
	if (terr != 0) {
		/* No thread to spare: resolve here rather than fail; only the
		 * deadline is lost, and only for this call. */
		*rc = getaddrinfo(j->name, NULL, &j->hints, res);
		*err = errno;
		if (rfd >= 0)
			close(rfd);
		j->refs = 1;
		pthread_mutex_lock(&j->mu);
		job_put(j);
		return NK_OK;
	}

	pthread_mutex_lock(&j->mu);
	while (!j->done && rfd >= 0) {
		pthread_mutex_unlock(&j->mu);
		struct pollfd p = { rfd, POLLIN, 0 };
		int r = nk_task_poll(&p, 1, nk_deadline_poll_ms(deadline));
		pthread_mutex_lock(&j->mu);
		if (r == 0 && !j->done) {
			close(rfd);
			job_put(j);
			return NK_ERR_OPERATION_TIMEDOUT;
		}
	}
	if (rfd >= 0)
		close(rfd);
	while (!j->done) {
		if (deadline == NK_NO_DEADLINE) {
			pthread_cond_wait(&j->cv, &j->mu);
			continue;
		}
		struct timespec ts = { (time_t)(deadline / 1000000),
		                       (long)(deadline % 1000000) * 1000L };
		if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT &&
		    !j->done) {
			job_put(j);
			return NK_ERR_OPERATION_TIMEDOUT;
		}
	}
	*rc = j->rc;
	*err = j->err;
	*res = j->res;
	j->res = NULL;
	job_put(j);
	return NK_OK;
}

/* RFC 6761 section 6.4: resolvers should answer "invalid" names at once
 * with a negative response, and they never leave the machine. */
static int
is_invalid_tld(const char *name)
{
	size_t n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 7 && strncasecmp(name, "invalid", 7) == 0)
		return 1;
	return n > 8 && strncasecmp(name + n - 8, ".invalid", 8) == 0;
}

/* One resolve, as the steps below share it. */
struct query {
	const nk_netopts *o;
	const char *host;        /* as the caller gave it, brackets and all */
	char name[256];          /* host without an IPv6 literal's brackets */
	int port;
	nk_time t0, deadline;
	int64_t delay_ms;
};

/* q->name from q->host. The brackets still matter to numeric_addr, which
 * accepts only IPv6 inside them, so q->host keeps them. */
static nk_err
bare_name(struct query *q, char *errmsg)
{
	size_t hl = strlen(q->host), nl = hl;
	const char *h = q->host;
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		nl -= 2;
	}
	if (nl == 0 || nl >= sizeof q->name)
		return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_HOST,
		               "Could not resolve host: %s",
		               nl ? "(name too long)" : "(empty name)");
	memcpy(q->name, h, nl);
	q->name[nl] = '\0';
	return NK_OK;
}

/* getaddrinfo's result rc as libnk reports it. "No such name" is no
 * failure here: it leaves the list empty, which is reported once the
 * family is filtered. */
static nk_err
gai_failure(int rc, int err, const char *name, char *errmsg)
{
	char show[96];
	if (rc == 0 || rc == EAI_NONAME || rc == EAI_NODATA ||
	    rc == EAI_ADDRFAMILY)
		return NK_OK;
	if (rc == EAI_MEMORY)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_HOST,
	               "Could not resolve host: %s (%s)",
	               printable(name, show, sizeof show),
	               rc == EAI_SYSTEM ? strerror(err) : gai_strerror(rc));
}

/* The IPv4 and IPv6 addresses of res, with port. */
static nk_err
addrinfo_list(const struct addrinfo *res, int port, nk_addrlist *out,
              char *errmsg)
{
	size_t n = 0;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
		n++;
	out->v = calloc(n ? n : 1, sizeof *out->v);
	if (!out->v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		fill_addr(&out->v[out->n++], ai->ai_addr, ai->ai_addrlen, port,
		          NK_ADDR_DNS);
	}
	return NK_OK;
}

/* The system resolver's answer, with what the hosts file gave marked. A
 * bracketed name that is no IPv6 literal, and RFC 6761's "invalid", are
 * refused without asking. */
static nk_err
from_resolver(const struct query *q, nk_addrlist *out, char *errmsg)
{
	char show[96];
	if (is_invalid_tld(q->name) || strpbrk(q->host, "[]"))
		return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_HOST,
		               "Could not resolve host: %s",
		               printable(q->host, show, sizeof show));
	struct addrinfo *res = NULL;
	int rc = 0, err = 0;
	nk_err e = lookup(q->name, q->o->family, q->deadline, q->delay_ms, &res,
	                  &rc, &err, errmsg);
	if (e == NK_ERR_OPERATION_TIMEDOUT)
		return nk_fail(errmsg, e, "Resolving timed out after %lld ms: %s",
		               (long long)((nk_now() - q->t0) / 1000),
		               printable(q->name, show, sizeof show));
	if (!e)
		e = gai_failure(rc, err, q->name, errmsg);
	if (!e)
		e = addrinfo_list(res, q->port, out, errmsg);
	if (res)
		freeaddrinfo(res);
	if (!e)
		nk_hosts_mark(q->o->hosts_file, q->name, out->v, out->n);
	return e;
}

/* The addresses of a --resolve entry, else of the literal, else of the
 * system resolver. */
static nk_err
addresses(const struct query *q, nk_addrlist *out, char *errmsg)
{
	const char *addrs = NULL;
	nk_err e = find_override(q->o, q->name, q->port, &addrs, errmsg);
	if (e)
		return e;
	if (addrs)
		return override_list(addrs, q->port, out, errmsg);
	nk_addr lit;
	if (numeric_addr(q->host, strlen(q->host), q->port, NK_ADDR_LITERAL,
	                 &lit) != 0)
		return from_resolver(q, out, errmsg);
	out->v = malloc(sizeof *out->v);
	if (!out->v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	out->v[0] = lit;
	out->n = 1;
	return NK_OK;
}

/* Only the family asked for, each address once, in RFC 8305's order; an
 * empty list is the failure to resolve. */
static nk_err
keep_family(const struct query *q, nk_addrlist *out, char *errmsg)
{
	char show[96];
	size_t before = out->n;
	out->n = filter(out->v, out->n, q->o->family);
	if (out->n == 0) {
		nk_addrlist_free(out);
		if (before > 0)
			return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_HOST,
			               "Could not resolve host: %s (no IPv%d address)",
			               printable(q->name, show, sizeof show),
			               q->o->family);
		return nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_HOST,
		               "Could not resolve host: %s",
		               printable(q->name, show, sizeof show));
	}
	nk_addr_interleave(out->v, out->n);
	return NK_OK;
}

nk_err
nk_resolve_delayed(const nk_netopts *o, const char *host, int port,
                   nk_time deadline, nk_addrlist *out, char *errmsg,
                   int64_t delay_ms)
{
	static const nk_netopts none;
	struct query q = { .o = o ? o : &none, .host = host ? host : "",
	                   .port = port, .t0 = nk_now(), .deadline = deadline,
	                   .delay_ms = delay_ms };

	memset(out, 0, sizeof *out);
	if (port < 0 || port > 65535)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "port %d out of range", port);
	nk_err e = check_family(q.o->family, errmsg);
	if (!e)
		e = bare_name(&q, errmsg);
	if (!e)
		e = addresses(&q, out, errmsg);
	if (!e)
		e = keep_family(&q, out, errmsg);
	if (!e)
		out->elapsed = nk_now() - q.t0;
	return e;
}

nk_err
nk_resolve(const nk_netopts *o, const char *host, int port, nk_time deadline,
           nk_addrlist *out, char *errmsg)
{
	return nk_resolve_delayed(o, host, port, deadline, out, errmsg, 0);
}

void
nk_addrlist_free(nk_addrlist *l)
{
	if (!l)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *
nk_addr_source_name(nk_addr_source s)
{
	switch (s) {
	case NK_ADDR_LITERAL:
		return "literal";
	case NK_ADDR_OVERRIDE:
		return "--resolve";
	case NK_ADDR_HOSTS:
		return "hosts";
	case NK_ADDR_DNS:
		return "dns";
	}
	return "?";
}
