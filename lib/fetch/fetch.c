/* fetch: one URL over HTTP/1.1 (and TLS), with what a curl user expects
 * around it: connection reuse, redirects, proxies, retries, resume.
 *
 * The data path is built for speed: one read buffer per fetcher (512 KiB
 * by default), reads as large as it, and body bytes handed to the caller
 * straight from it (the framing decoder returns spans inside the buffer),
 * so a body costs no allocation and no copy per chunk. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "nk/fetch.h"
#include "nk/netrc.h"
#include "nk/url.h"
#include "net/conn_int.h"
#include "http/http_int.h"
#include "http/proxy_int.h"
#include "core/internal.h"

#define DEFAULT_BUFSIZE (512 * 1024)
#define POOL_SIZE 4
/* A pooled connection idle this long is polled before reuse (see
 * pool_take). */
#define IDLE_CHECK_US 1000000
#define DEFAULT_REDIRS 50
#define KEY_LEN 600
/* Bodies (what is left of them) from this size on are spliced. */
#define SPLICE_MIN (64 * 1024)
/* --pipeline: at most this many requests wait for their responses on one
 * connection. */
#define PIPE_WINDOW 32
/* The most of a followed redirect's body read to keep its connection. */
#define DRAIN_MAX (64 * 1024)
/* Request bodies are read and written this much at a time: large writes
 * cost TLS little per byte. */
#define SEND_BUF (256 * 1024)
/* What a body source that cannot rewind keeps of its start, so that a
 * redirect or a retry can still send a small body again. */
#define KEEP_MAX (64 * 1024)
/* curl sends "Expect: 100-continue" with a -d or -F body over this. */
#define EXPECT_MIN (1024 * 1024)
/* Smaller bodies in memory go in one write with the head. */
#define INLINE_MAX (64 * 1024)

/* An idle connection kept for the next request to the same place. */
struct pooled {
	nk_conn *conn;
	char *key;              /* "scheme://host:port proxy" */
	int id;
	int tls;
	nk_time idle_since;
	/* What the handshake found, for the hops that reuse it. */
	char tls_version[16];
	char tls_cipher[80];
	int tls_verify_ok;
	long tls_verify_code;
	/* Pipelining: queue entries first_ahead .. first_ahead + ahead - 1
	 * were sent on this connection and wait for their responses, which
	 * start with the `rest` bytes already read (owned). */
	size_t first_ahead;
	int ahead;
	char *rest;
	size_t restlen;
};

/* A request the caller will run later (nk_fetch_pipeline): its first
 * request head as it will be sent, and where to. */
struct queued {
	char *key;
	char *head;
	size_t len;
};


struct nk_fetch {
	nk_fetch_config cfg;
	nk_tls_ctx *tls;        /* made on the first https request */
	struct pooled pool[POOL_SIZE];
	int next_id;
	char *buf;
	size_t cap;
	struct nk_http_header *hdrs;
	struct nk_proxy http_proxy, https_proxy;
	struct queued *queue;   /* nk_fetch_pipeline's, or NULL */
	size_t nqueue;
	size_t qpos;            /* the entry the next run should match */
	int pipe_off;           /* a pipelined connection was lost: no more */
	char *tbuf;             /* trailer lines for cb->trailers, or NULL */
	char *sbuf;             /* SEND_BUF for request bodies, or NULL */
};

/* ---- small helpers -------------------------------------------------- */

static void
trace(const nk_fetch_callbacks *cb, const char *fmt, ...) NK_PRINTF(2, 3);

static void
trace(const nk_fetch_callbacks *cb, const char *fmt, ...)
{
	if (!cb->trace)
		return;
	char line[NK_ERR_MSG_LEN * 2];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	cb->trace(cb->ctx, NK_FETCH_INFO, line, (size_t)n, NULL);
}

/* Parses a URL as curl takes it: one without a scheme gets the default
 * scheme. */
static nk_err
parse_url(const char *in, const char *scheme, nk_url **out, char *errmsg)
{
	char msg[NK_ERR_MSG_LEN];
	nk_err e;
	/* The URL Standard drops tabs and newlines, and a browser's address
	 * bar may; a URL given to a client with a CR or LF in it is a
	 * mistake or an attack, and curl refuses it: so does nk. */
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "invalid URL: "
			               "control character \\x%02x at position %zu",
			               *p, (size_t)(p - (const unsigned char *)in) + 1);
	e = nk_url_parse_default_scheme(in, scheme, out, msg);
	if (e == NK_ERR_URL_MALFORMAT)
		return nk_fail(errmsg, e, "invalid URL \"%.100s\": %s", in, msg);
	if (e)
		return nk_fail(errmsg, e, "%s", msg);
	return NK_OK;
}

static int
is_http(const nk_url *u)
{
	const char *s = nk_url_scheme(u);
	return strcmp(s, "http") == 0 || strcmp(s, "https") == 0;
}

static int
is_https(const nk_url *u)
{
	return strcmp(nk_url_scheme(u), "https") == 0;
}

/* Same scheme, host and port: where the user's credentials may go. */
static int
same_origin(const nk_url *a, const nk_url *b)
{
	return strcmp(nk_url_scheme(a), nk_url_scheme(b)) == 0 &&
	       strcmp(nk_url_connect_host(a), nk_url_connect_host(b)) == 0 &&
	       nk_url_port(a) == nk_url_port(b);
}

/* The URL without its fragment (and without credentials), for a proxy's
 * absolute-form target and for Referer. Caller frees. */
static char *
url_no_fragment(const nk_url *u, int strip_userinfo)
{
	const char *href = nk_url_get(u, NK_URL_HREF);
	const char *hash = strchr(href, '#');
	size_t len = hash ? (size_t)(hash - href) : strlen(href);
	if (strip_userinfo && (*nk_url_get(u, NK_URL_USERNAME) ||
	                       *nk_url_get(u, NK_URL_PASSWORD))) {
		const char *origin = nk_url_get(u, NK_URL_ORIGIN);
		const char *path = nk_url_target(u);
		size_t n = strlen(origin) + strlen(path) + 1;
		char *s = malloc(n);
		if (s)
			snprintf(s, n, "%s%s", origin, path);
		return s;
	}
	return strndup(href, len);
}

/* Whether a -H line ("Name: value", "Name:", "Name;") is for name. */
static int
header_is(const char *h, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(h, name, n) == 0 && (h[n] == ':' || h[n] == ';');
}

/* A -H line that carries credentials: Authorization or Cookie. */
static int
is_cred_header(const char *h)
{
	return header_is(h, "Authorization") || header_is(h, "Cookie");
}

static int
has_creds(const nk_fetch_request *rq)
{
	if (rq->userpass)
		return 1;
	for (size_t i = 0; i < rq->nheaders; i++)
		if (is_cred_header(rq->headers[i]))
			return 1;
	return 0;
}

/* ---- the fetcher ---------------------------------------------------- */

nk_err
nk_fetch_new(const nk_fetch_config *cfg, nk_fetch **out, char *errmsg)
{
	*out = NULL;
	nk_fetch *f = calloc(1, sizeof *f);
	if (!f)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if (cfg)
		f->cfg = *cfg;
	/* This client speaks HTTP/1.1 only, and says so in the handshake. */
	if (!f->cfg.tls.alpn)
		f->cfg.tls.alpn = "http/1.1";
	nk_err e = nk_netopts_check(&f->cfg.net, errmsg);
	if (!e)
		e = nk_proxy_parse(f->cfg.http_proxy, &f->http_proxy, errmsg);
	if (!e)
		e = nk_proxy_parse(f->cfg.https_proxy, &f->https_proxy, errmsg);
	if (e) {
		nk_fetch_free(f);
		return e;
	}
	size_t head = f->cfg.max_head ? f->cfg.max_head : NK_HTTP_MAX_HEAD;
	f->cap = f->cfg.bufsize ? f->cfg.bufsize : DEFAULT_BUFSIZE;
	if (f->cap < head + 16384)
		f->cap = head + 16384;
	f->buf = malloc(f->cap);
	f->hdrs = calloc(NK_HTTP_MAX_HEADERS, sizeof *f->hdrs);
	if (!f->buf || !f->hdrs) {
		nk_fetch_free(f);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = f;
	return NK_OK;
}

static void
pool_drop(struct pooled *p)
{
	nk_conn_free(p->conn);
	free(p->key);
	free(p->rest);
	memset(p, 0, sizeof *p);
}

static void
queue_clear(nk_fetch *f)
{
	for (size_t i = 0; i < f->nqueue; i++) {
		free(f->queue[i].key);
		free(f->queue[i].head);
	}
	free(f->queue);
	f->queue = NULL;
	f->nqueue = f->qpos = 0;
}

void
nk_fetch_free(nk_fetch *f)
{
	if (!f)
		return;
	for (int i = 0; i < POOL_SIZE; i++)
		pool_drop(&f->pool[i]);
	queue_clear(f);
	nk_tls_ctx_free(f->tls);
	nk_proxy_clear(&f->http_proxy);
	nk_proxy_clear(&f->https_proxy);
	free(f->buf);
	free(f->hdrs);
	free(f->tbuf);
	free(f->sbuf);
	free(f);
}

/* Whether queue entry i is the request (key, req) about to be made. */
static int
queued_is(const nk_fetch *f, size_t i, const char *key, const char *req,
          size_t reqlen)
{
	return i < f->nqueue && f->queue[i].len == reqlen &&
	       memcmp(f->queue[i].head, req, reqlen) == 0 &&
	       strcmp(f->queue[i].key, key) == 0;
}

/* Takes the connection for key out of the pool, if it is still usable.
 * One with pipelined requests on it is usable only by the first of them
 * (*sent is then set: the request is already on the wire). An idle HTTP/1.1
 * connection has nothing to say, so readable means the server closed it
 * (or sent junk); one idle for less than a second is taken without asking
 * (poll), unless `check`: if the server closed it after all, the request
 * gets no byte back and goes again on a new connection, which a request
 * that is not replayable may not. */
static struct pooled
pool_take(nk_fetch *f, const char *key, const char *req, size_t reqlen,
          int check, const nk_fetch_callbacks *cb, int *sent)
{
	struct pooled none;
	memset(&none, 0, sizeof none);
	*sent = 0;
	for (int i = 0; i < POOL_SIZE; i++) {
		struct pooled *p = &f->pool[i];
		if (!p->conn || strcmp(p->key, key) != 0)
			continue;
		if (p->ahead > 0) {
			if (!queued_is(f, p->first_ahead, key, req, reqlen))
				continue;
			*sent = 1;
		} else {
			struct pollfd pfd = { nk_conn_fd(p->conn), POLLIN, 0 };
			if (nk_conn_pending(p->conn) > 0 ||
			    ((check || nk_now() - p->idle_since >= IDLE_CHECK_US) &&
			     poll(&pfd, 1, 0) != 0)) {
				trace(cb, "Connection #%d was closed by the server while "
				      "idle", p->id);
				pool_drop(p);
				continue;
			}
		}
		struct pooled got = *p;
		memset(p, 0, sizeof *p);
		return got;
	}
	return none;
}

static void
pool_put(nk_fetch *f, struct pooled *c)
{
	int slot = 0;
	for (int i = 0; i < POOL_SIZE; i++) {
		if (!f->pool[i].conn) {
			slot = i;
			break;
		}
		if (f->pool[i].idle_since < f->pool[slot].idle_since)
			slot = i;
	}
	pool_drop(&f->pool[slot]);
	c->idle_since = nk_now();
	f->pool[slot] = *c;
	memset(c, 0, sizeof *c);
}

/* ---- results ---------------------------------------------------------- */

static void
hop_clear(nk_fetch_hop *h)
{
	free(h->url);
	free(h->head);
	free(h->headers);
	free(h->location);
	memset(h, 0, sizeof *h);
}

void
nk_fetch_result_clear(nk_fetch_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nhops; i++)
		hop_clear(&res->hops[i]);
	free(res->hops);
	memset(res, 0, sizeof *res);
}

const nk_fetch_hop *
nk_fetch_result_final(const nk_fetch_result *res)
{
	return res && res->nhops ? &res->hops[res->nhops - 1] : NULL;
}

int
nk_fetch_hop_header(const nk_fetch_hop *hop, const char *name, char *buf,
                    size_t len)
{
	size_t used = 0;
	int found = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; hop && i < hop->num_headers; i++) {
		const struct nk_http_header *h = &hop->headers[i];
		if (strlen(name) != h->name_len ||
		    strncasecmp(h->name, name, h->name_len) != 0)
			continue;
		const char *sep = found ? ", " : "";
		int n = snprintf(buf + used, len > used ? len - used : 0, "%s%.*s",
		                 sep, (int)h->value_len, h->value);
		if (n > 0)
			used += (size_t)n;
		if (used >= len)
			used = len ? len - 1 : 0;
		found = 1;
	}
	return found;
}

static nk_fetch_hop *
hop_add(nk_fetch_result *res, const nk_url *u, const char *method,
        char *errmsg)
{
	nk_fetch_hop *v = realloc(res->hops, (res->nhops + 1) * sizeof *v);
	if (!v)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory"), NULL;
	res->hops = v;
	nk_fetch_hop *h = &v[res->nhops];
	memset(h, 0, sizeof *h);
	h->url = url_no_fragment(u, 1);
	if (!h->url)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory"), NULL;
	nk_put_str(h->method, h->method + sizeof h->method, method);
	h->content_length = -1;
	h->start = nk_now();
	res->nhops++;
	return h;
}

/* ---- one request on one connection ---------------------------------- */

/* A retry being weighed: what nk_fetch_run's loop knows, so that a try
 * can ask, at a transient status, whether the retry will really go. */
struct retry {
	nk_fetch_request *rq;   /* the run's copy: resume_from may move */
	uint64_t *delivered;
	nk_time start;          /* of the run */
	int64_t backoff;        /* the wait, unless told otherwise */
	int64_t wait;           /* set with ready */
	int ready;              /* the caller's output is taken back, the
	                           wait fits: the retry goes */
};

static int retry_ready(struct retry *rt, const nk_fetch_callbacks *cb,
                       nk_fetch_result *res);

/* What a request needs beyond nk_fetch_request. */
struct step {
	const nk_fetch_request *rq;
	const nk_fetch_callbacks *cb;
	nk_fetch_result *res;
	const nk_url *url;
	const char *method;
	int creds;              /* the user's credentials may go here */
	int same_host;          /* the host the user named: a -H Host holds */
	const char *referer;
	int deliver;            /* hand the body to cb->body */
	int range_refused;      /* a resume got no range: no body byte may go */
	int follow;             /* a redirect would be followed */
	struct retry *retry;    /* a retry may follow: a transient status
	                           ends the try early if it will go */
	nk_time deadline;
	uint64_t *delivered;
	struct src *src;        /* the body this hop sends, or NULL */
	int no_expect;          /* a 417 said: no Expect this time */
	int again_417;          /* out: send again without Expect */
};

static void
fill_addrs(nk_fetch_hop *h, nk_conn *c)
{
	nk_put_str(h->remote_ip, h->remote_ip + sizeof h->remote_ip,
	           nk_conn_peer_str(c));
	h->remote_port = nk_conn_peer_port(c);
	nk_put_str(h->local_ip, h->local_ip + sizeof h->local_ip,
	           nk_conn_local_str(c));
	h->local_port = nk_conn_local_port(c);
}

/* nk_conn_read, but before it waits for the network it lets the caller
 * write out what it holds back (cb->flush): output gathered across
 * pipelined responses goes out while nk waits, never later. *cb_failed
 * (when not NULL) says that the error came from the callback, not the
 * connection. */
static nk_err
read_or_flush(const nk_fetch_callbacks *cb, nk_conn *c, void *buf,
             size_t len, nk_time deadline, size_t *n, int *cb_failed,
             char *errmsg)
{
	if (cb_failed)
		*cb_failed = 0;
	if (cb && cb->flush) {
		int want;
		nk_err e = nk_conn_try_read(c, buf, len, n, &want, errmsg);
		if (e || *n > 0 || !want)
			return e;
		if ((e = cb->flush(cb->ctx, errmsg)) != NK_OK) {
			if (cb_failed)
				*cb_failed = 1;
			return e;
		}
	}
	return nk_conn_read(c, buf, len, deadline, n, errmsg);
}

/* Reads a response head into f->buf (which holds *len bytes already).
 * Returns NK_OK with res->head_len set, or an error; *got says whether any
 * byte arrived (a dead reused connection sends none), and is set too when
 * the error is the flush callback's, which no new connection would cure. */
static nk_err
read_head(nk_fetch *f, const nk_fetch_callbacks *cb, nk_conn *c,
          size_t *len, struct nk_http_response *r, nk_time deadline,
          nk_fetch_hop *h, int *got, char *errmsg)
{
	struct nk_http_parser p;
	memset(&p, 0, sizeof p);
	p.max_line = f->cfg.max_line;
	p.max_head = f->cfg.max_head;
	memset(r, 0, sizeof *r);
	r->headers = f->hdrs;
	r->max_headers = NK_HTTP_MAX_HEADERS;
	if (*len > 0) {
		/* The start came with the response before (pipelining). */
		*got = 1;
		if (h && !h->starttransfer)
			h->starttransfer = nk_now();
	}
	for (;;) {
		if (*len > 0) {
			nk_err e = nk_http_parse_response(&p, f->buf, *len, r, errmsg);
			if (e || r->head_len)
				return e;
		}
		if (*len == f->cap)
			return nk_fail(errmsg, NK_ERR_RECV_ERROR, "response head "
			               "larger than the %zu byte buffer", f->cap);
		size_t n;
		int cb_failed;
		nk_err e = read_or_flush(cb, c, f->buf + *len, f->cap - *len,
		                        deadline, &n, &cb_failed, errmsg);
		if (cb_failed)
			*got = 1;
		if (e)
			return e;
		if (n == 0)
			return nk_http_parse_eof(&p, *len, errmsg);
		if (!*got && h && !h->starttransfer)
			h->starttransfer = nk_now();
		*got = 1;
		*len += n;
	}
}

/* Opens a CONNECT tunnel to target ("host:port") through an HTTP proxy. */
static nk_err
tunnel_through(nk_fetch *f, struct step *s, nk_conn *c,
               const struct nk_proxy *px, nk_fetch_hop *h, const char *target,
               char *errmsg)
{
	/* A CONNECT carries no content negotiation. */
	const char *hdrs[2] = { "Accept:" };
	size_t nh = 1;
	char *line = NULL;
	if (px->userpass) {
		line = nk_http_basic("Proxy-Authorization: ", px->userpass);
		if (!line)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		hdrs[nh++] = line;
	}
	struct nk_http_request rq;
	memset(&rq, 0, sizeof rq);
	rq.method = "CONNECT";
	rq.target = target;
	rq.host = target;
	rq.user_agent = s->rq->user_agent;
	rq.headers = hdrs;
	rq.nheaders = nh;
	char *head = NULL;
	size_t headlen;
	nk_err e = nk_http_request_build(&rq, &head, &headlen, errmsg);
	free(line);
	if (e)
		return e;
	trace(s->cb, "Establishing a tunnel to %s through proxy %s", target,
	      px->display);
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, head, headlen, NULL);
	e = nk_conn_write(c, head, headlen, s->deadline, errmsg);
	free(head);
	if (e)
		return e;
	size_t len = 0;
	int got = 0;
	struct nk_http_response r;
	for (;;) {
		e = read_head(f, s->cb, c, &len, &r, s->deadline, NULL, &got,
		              errmsg);
		if (e)
			return e;
		if (s->cb->trace)
			s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r.head_len,
			             NULL);
		h->header_bytes += r.head_len;
		s->res->size_header += r.head_len;
		if (!nk_http_is_interim(&r))
			break;
		memmove(f->buf, f->buf + r.head_len, len -= r.head_len);
	}
	if (r.status / 100 != 2)
		return nk_fail(errmsg, NK_ERR_RECV_ERROR, "CONNECT tunnel to %.100s "
		               "through proxy %s failed, response %d", target,
		               px->display, r.status);
	if (len != r.head_len)
		return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "proxy %s sent "
		               "data after its CONNECT response", px->display);
	trace(s->cb, "Tunnel to %s established", target);
	return NK_OK;
}

/* Opens a CONNECT tunnel through an HTTP proxy to the step's host. */
static nk_err
tunnel(nk_fetch *f, struct step *s, nk_conn *c, const struct nk_proxy *px,
       nk_fetch_hop *h, char *errmsg)
{
	/* host:port, the host as long as a URL may make it */
	const char *host = nk_url_get(s->url, NK_URL_HOSTNAME);
	size_t tlen = strlen(host) + sizeof ":65535";
	char *target = malloc(tlen);
	if (!target)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_put_uint(nk_put_str(nk_put_str(target, target + tlen, host),
	                       target + tlen, ":"),
	            target + tlen, (unsigned)nk_url_port(s->url));
	nk_err e = tunnel_through(f, s, c, px, h, target, errmsg);
	free(target);
	if (!e)   /* TLS sessions and messages name the target, not the proxy */
		nk_conn_set_target(c, host, nk_url_port(s->url));
	return e;
}

/* Makes a new connection for the step: TCP (to the proxy, if any), the
 * CONNECT tunnel, TLS. */
static nk_err
open_conn(nk_fetch *f, struct step *s, const struct nk_proxy *px,
          nk_fetch_hop *h, struct pooled *pc, char *errmsg)
{
	const char *host = px ? px->host : nk_url_connect_host(s->url);
	int port = px ? px->port : nk_url_port(s->url);
	nk_conn *c = NULL;
	nk_time t0 = nk_now();
	nk_err e = nk_connect(&f->cfg.net, host, port, s->deadline, &c, &h->net,
	                      errmsg);
	if (h->net.resolved) {
		h->namelookup = h->net.resolved;
		trace(s->cb, "Resolved %s%s in %.3f ms%s%s%s", px ? "proxy " : "",
		      h->net.host[0] ? h->net.host : host,
		      (double)(h->net.resolved - h->net.start) / 1000.0,
		      e ? "" : " (", e ? "" : nk_addr_source_name(h->net.source),
		      e ? "" : ")");
	}
	for (size_t i = 0; i < h->net.nattempts; i++) {
		const nk_attempt *a = &h->net.attempts[i];
		trace(s->cb, "  Trying %s%s%s:%d... %s", a->family == 6 ? "[" : "",
		      a->addr, a->family == 6 ? "]" : "", a->port,
		      a->err == NK_OK ? "connected" : a->why);
	}
	if (e) {
		if (px && e == NK_ERR_COULDNT_RESOLVE_HOST)
			e = nk_fail(errmsg, NK_ERR_COULDNT_RESOLVE_PROXY,
			            "Could not resolve proxy: %s", px->host);
		return e;
	}
	h->connect = h->net.connected ? h->net.connected : nk_now();
	if (!h->namelookup)
		h->namelookup = h->connect;
	s->res->num_connects++;
	pc->conn = c;
	pc->id = f->next_id++;
	fill_addrs(h, c);
	trace(s->cb, "Connected to %s%s (%s) port %d (#%d)", px ? "proxy " : "",
	      px ? px->host : nk_url_get(s->url, NK_URL_HOSTNAME),
	      h->remote_ip, h->remote_port, pc->id);

	/* --connect-timeout covers the tunnel and the handshake too. */
	nk_time cdl = s->deadline;
	if (f->cfg.net.connect_timeout_ms > 0)
		cdl = nk_deadline_min(cdl, t0 + f->cfg.net.connect_timeout_ms * 1000);
	if (px && is_https(s->url)) {
		struct step ts = *s;
		ts.deadline = cdl;
		e = tunnel(f, &ts, c, px, h, errmsg);
		if (e == NK_ERR_OPERATION_TIMEDOUT)
			nk_fail(errmsg, e, "Connection timed out after %lld ms setting "
			        "up the tunnel through %s",
			        (long long)((nk_now() - t0) / 1000), px->display);
		if (e)
			return e;
	}
	if (is_https(s->url)) {
		if (!f->tls) {
			e = nk_tls_ctx_new(&f->cfg.tls, &f->tls, errmsg);
			if (e)
				return e;
		}
		nk_tls_info ti;
		memset(&ti, 0, sizeof ti);
		const char *name = nk_url_connect_host(s->url);
		e = nk_tls_start(f->tls, c, name, cdl, &ti, errmsg);
		h->tls = 1;
		snprintf(h->tls_version, sizeof h->tls_version, "%s", ti.version);
		snprintf(h->tls_cipher, sizeof h->tls_cipher, "%s", ti.cipher);
		h->tls_verify_ok = ti.verify_ok;
		h->tls_verify_code = ti.verify_code;
		h->tls_resumed = ti.resumed;
		if (s->cb->trace && ti.version[0])
			s->cb->trace(s->cb->ctx, NK_FETCH_TLS, name, strlen(name), &ti);
		nk_tls_info_clear(&ti);
		if (e)
			return e;
		h->appconnect = nk_now();
		pc->tls = 1;
		memcpy(pc->tls_version, h->tls_version, sizeof pc->tls_version);
		memcpy(pc->tls_cipher, h->tls_cipher, sizeof pc->tls_cipher);
		pc->tls_verify_ok = h->tls_verify_ok;
		pc->tls_verify_code = h->tls_verify_code;
	}
	return NK_OK;
}

/* Content-Range: bytes START-END/TOTAL (or bytes * / TOTAL); START, or -1. */
static int64_t
range_start(const struct nk_http_response *r, int64_t *total)
{
	const struct nk_http_header *h = nk_http_header_find(r, "Content-Range",
	                                                     NULL);
	*total = -1;
	if (!h || h->value_len < 7 || strncasecmp(h->value, "bytes ", 6) != 0)
		return -1;
	char v[128];
	snprintf(v, sizeof v, "%.*s", (int)h->value_len - 6, h->value + 6);
	char *slash = strchr(v, '/');
	if (slash && slash[1] != '*')
		*total = strtoll(slash + 1, NULL, 10);
	if (v[0] == '*')
		return -1;
	return strtoll(v, NULL, 10);
}

/* Where decoded (or raw) body bytes go: the caller, within the limits. */
struct sinkctx {
	struct step *s;
};

static nk_err
deliver(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sinkctx *k = ctx;
	struct step *s = k->s;
	if (s->range_refused)
		return nk_fail(errmsg, NK_ERR_RANGE_ERROR, "HTTP server doesn't "
		               "seem to support byte ranges. Cannot resume.");
	if (s->rq->max_filesize > 0 &&
	    *s->delivered + len > (uint64_t)s->rq->max_filesize)
		return nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "Maximum file size "
		               "exceeded: the body is larger than %lld bytes",
		               (long long)s->rq->max_filesize);
	*s->delivered += len;
	if (s->cb->body)
		return s->cb->body(s->cb->ctx, data, len, errmsg);
	return NK_OK;
}

/* Whether the body of a redirect being followed is read (and dropped) to
 * keep the connection: only a small framed one, the rest of which comes
 * soon. One framed by the close, or large, may take long or never end
 * (a server that neither closes nor frames it): the connection is dropped
 * instead, and the next request goes on a new one. A chunked body is read
 * while it stays small (DRAIN_MAX bytes). */
static int
drain_redirect(const struct nk_http_body *b)
{
	return b->mode == NK_HTTP_BODY_NONE || b->mode == NK_HTTP_BODY_CHUNKED ||
	       (b->mode == NK_HTTP_BODY_LENGTH && b->length <= DRAIN_MAX);
}

/* Has the framer copy a chunked body's trailer lines for the caller, into
 * the fetcher's buffer (made the first time), which holds as many as the
 * framer accepts. Without memory, they are not shown. */
static void
keep_trailers(nk_fetch *f, struct nk_http_body *b)
{
	size_t cap = b->max_trailer ? b->max_trailer : NK_HTTP_MAX_HEAD;
	if (!f->tbuf)
		f->tbuf = malloc(cap);
	b->trailer_buf = f->tbuf;
	b->trailer_cap = f->tbuf ? cap : 0;
}

/* The descriptor the body may be spliced to, or -1: the caller must want
 * it, the bytes must need no decoding or framing work on the way, come
 * over plain TCP, and fit the size limit (checked here, as deliver()
 * cannot check bytes it never sees). */
static int
splice_target(const struct step *s, const struct nk_http_body *b,
              const nk_decoder *dec, int discard, nk_conn *c,
              const char **name)
{
	if (!s->cb->body_fd || dec || discard || s->range_refused ||
	    !nk_conn_can_splice(c))
		return -1;
	/* A small body costs fewer calls read with what follows it. */
	uint64_t raw = nk_http_body_raw_left(b);
	if (raw < SPLICE_MIN)
		return -1;
	if (s->rq->max_filesize > 0 && (raw == UINT64_MAX ||
	    *s->delivered + raw > (uint64_t)s->rq->max_filesize))
		return -1;
	*name = "the output";
	return s->cb->body_fd(s->cb->ctx, name);
}

/* The connection ended while the body was read: the body's own framing
 * says whether it is whole, but a body framed by the close alone is whole
 * over TLS only if the close was a close_notify; a bare TCP close may be
 * an attacker's cut (RFC 8446 section 6.1). */
static nk_err
body_eof(struct nk_http_body *b, const nk_conn *c, char *errmsg)
{
	nk_err e = nk_http_body_eof(b, errmsg);
	if (!e && b->mode == NK_HTTP_BODY_CLOSE && nk_tls_conn_unclean_eof(c))
		e = nk_fail(errmsg, NK_ERR_RECV_ERROR, "the TLS stream was cut: "
		            "the server closed the connection without a "
		            "close_notify, so the body (%llu bytes) may be "
		            "truncated", (unsigned long long)b->received);
	return e;
}

/* Copies a head into the hop, with header views into the copy. */
static nk_err
keep_head(nk_fetch_hop *h, const char *buf, const struct nk_http_response *r,
          char *errmsg)
{
	free(h->head);
	free(h->headers);
	h->headers = NULL;
	h->num_headers = 0;
	h->head = malloc(r->head_len + 1);
	if (!h->head)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(h->head, buf, r->head_len);
	h->head[r->head_len] = '\0';
	h->head_len = r->head_len;
	if (r->num_headers) {
		h->headers = malloc(r->num_headers * sizeof *h->headers);
		if (!h->headers)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		for (size_t i = 0; i < r->num_headers; i++) {
			h->headers[i] = r->headers[i];
			h->headers[i].name = h->head + (r->headers[i].name - buf);
			h->headers[i].value = h->head + (r->headers[i].value - buf);
		}
		h->num_headers = r->num_headers;
	}
	h->status = r->status;
	h->minor_version = r->minor_version;
	return NK_OK;
}

/* The user's own Expect header: -1 none, 1 "100-continue", 0 another
 * value or its removal ("Expect:"). */
static int
user_expect(const nk_fetch_request *rq)
{
	int found = -1;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const char *h = rq->headers[i];
		if (!header_is(h, "Expect"))
			continue;
		const char *v = h + 6;
		if (*v != ':')
			return 0;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		found = strncasecmp(v, "100-continue", 12) == 0;
	}
	return found;
}

/* ---- the request body ----------------------------------------------- */

/* The request body across the hops and tries of one run: where its
 * source started, so that a redirect or a retry can send it again. */
struct src {
	const nk_fetch_body *b;
	int64_t size;           /* the exact length, or -1 */
	off_t fd_start;         /* the descriptor's offset at the start, or
	                           -1 when it cannot seek */
	uint64_t pos;           /* bytes taken since the (re)start */
	int used;               /* bytes were taken: resending must rewind */
	/* A source that cannot rewind keeps its first bytes, so a small body
	 * can still follow a 307 or be retried. */
	char *kept;
	size_t kept_len;
	int kept_over;          /* more than KEEP_MAX were taken */
	size_t replay;          /* after a rewind: next byte of kept to give */
};

/* The body on one hop. */
struct up {
	struct src *src;
	int chunked;            /* framed as chunks: the size is unknown */
	int kernel;             /* moved by sendfile(2) from the descriptor */
	int expect;             /* "Expect: 100-continue" went: wait for 100 */
	const char *p;          /* framed bytes waiting to be written */
	size_t n;
	uint64_t pend;          /* body bytes among them (chunked) */
	int last;               /* after p..n, the body is complete */
	int src_wait;           /* the descriptor has nothing yet: poll it */
	int cut;                /* the upload stopped before the end */
	nk_err send_err;        /* the write that failed, if one did */
	char send_msg[NK_ERR_MSG_LEN];
	uint64_t sent;          /* body bytes written */
	int inline_body;        /* the body went with the head */
};

static int
src_can_seek(const struct src *sr)
{
	const nk_fetch_body *b = sr->b;
	return b->data || (b->fd >= 0 && sr->fd_start >= 0) ||
	       (!b->data && b->fd < 0 && b->rewind);
}

static void
src_init(struct src *sr, const nk_fetch_body *b)
{
	memset(sr, 0, sizeof *sr);
	sr->b = b;
	sr->fd_start = -1;
	if (b->data || (!b->read && b->fd < 0)) {
		sr->size = b->data ? (int64_t)b->len : 0;
		return;
	}
	sr->size = b->size < 0 ? -1 : b->size;
	if (b->fd >= 0 && !b->read)
		sr->fd_start = lseek(b->fd, 0, SEEK_CUR);
}

/* Whether src_rewind would work (short of a failing lseek or rewind). */
static int
src_restartable(const struct src *sr)
{
	return !sr || !sr->used || src_can_seek(sr) || !sr->kept_over;
}

/* Starts the body again from its first byte. */
static nk_err
src_rewind(struct src *sr, const char *why, char *errmsg)
{
	if (!sr || !sr->used)
		return NK_OK;
	const nk_fetch_body *b = sr->b;
	nk_err e = NK_OK;
	if (b->data || (b->fd < 0 && !b->read)) {
		/* memory: nothing to do */
	} else if (b->fd >= 0 && !b->read && sr->fd_start >= 0) {
		if (lseek(b->fd, sr->fd_start, SEEK_SET) < 0)
			e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: "
			            "seeking back to the body's start failed: %s",
			            why, strerror(errno));
	} else if (b->read && b->rewind) {
		char msg[NK_ERR_MSG_LEN] = "";
		e = b->rewind(b->ctx, msg);
		if (e)
			e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: "
			            "the body's rewind failed: %s", why, msg);
	} else if (!sr->kept_over) {
		sr->replay = 0;
	} else {
		e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: the "
		            "request body came from a source that cannot be read "
		            "again (a pipe, say), and its first %d KiB, all that "
		            "was kept, were not all of it", why, KEEP_MAX / 1024);
	}
	if (!e) {
		sr->pos = 0;
		sr->used = 0;
	}
	return e;
}

/* Keeps what a source that cannot rewind gave, while it is small. */
static void
src_keep(struct src *sr, const char *p, size_t n)
{
	if (src_can_seek(sr) || sr->kept_over)
		return;
	if (sr->kept_len + n > KEEP_MAX) {
		free(sr->kept);
		sr->kept = NULL;
		sr->kept_over = 1;
		return;
	}
	if (!sr->kept && !(sr->kept = malloc(KEEP_MAX))) {
		sr->kept_over = 1;
		return;
	}
	memcpy(sr->kept + sr->kept_len, p, n);
	sr->kept_len += n;
	sr->replay = sr->kept_len;
}

/* Reads up to cap body bytes from a descriptor or callback source: *n = 0
 * at the end; *wait when a descriptor has nothing yet. */
static nk_err
src_read(struct src *sr, char *buf, size_t cap, size_t *n, int *wait,
         char *errmsg)
{
	const nk_fetch_body *b = sr->b;
	*n = 0;
	*wait = 0;
	if (sr->size >= 0 && (int64_t)sr->pos >= sr->size)
		return NK_OK;
	if (sr->size >= 0 && (uint64_t)(sr->size - (int64_t)sr->pos) < cap)
		cap = (size_t)(sr->size - (int64_t)sr->pos);
	sr->used = 1;
	if (sr->replay < sr->kept_len) {
		size_t k = sr->kept_len - sr->replay < cap ? sr->kept_len - sr->replay
		                                          : cap;
		memcpy(buf, sr->kept + sr->replay, k);
		sr->replay += k;
		sr->pos += k;
		*n = k;
		return NK_OK;
	}
	ssize_t r;
	if (b->read) {
		char msg[NK_ERR_MSG_LEN] = "";
		r = b->read(b->ctx, buf, cap, msg);
		if (r < 0)
			return nk_fail(errmsg, NK_ERR_READ_ERROR, "reading the request "
			               "body: %s", msg[0] ? msg : "the source failed");
	} else {
		struct pollfd p = { b->fd, POLLIN, 0 };
		if (sr->fd_start < 0 && poll(&p, 1, 0) == 0) {
			*wait = 1;
			return NK_OK;
		}
		do
			r = read(b->fd, buf, cap);
		while (r < 0 && errno == EINTR);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			*wait = 1;
			return NK_OK;
		}
		if (r < 0)
			return nk_fail(errmsg, NK_ERR_READ_ERROR, "reading the request "
			               "body: %s", strerror(errno));
	}
	if (r == 0 && sr->size >= 0)
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "the request body ended "
		               "after %llu of its %lld bytes",
		               (unsigned long long)sr->pos, (long long)sr->size);
	src_keep(sr, buf, (size_t)r);
	sr->pos += (size_t)r;
	*n = (size_t)r;
	return NK_OK;
}

/* Readies the next bytes to write: the rest of a body in memory, or a
 * buffer read from the source (as a chunk when chunked). */
static nk_err
up_fill(nk_fetch *f, struct up *u, char *errmsg)
{
	struct src *sr = u->src;
	if (sr->b->data) {
		u->p = sr->b->data + sr->pos;
		u->n = sr->b->len - (size_t)sr->pos;
		u->pend = u->n;
		sr->pos = sr->b->len;
		sr->used = 1;
		u->last = 1;
		return NK_OK;
	}
	if (!f->sbuf && !(f->sbuf = malloc(SEND_BUF)))
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	/* Room for a chunk's "hex\r\n" before and "\r\n0\r\n\r\n" after. */
	char *data = f->sbuf + (u->chunked ? 16 : 0);
	size_t cap = SEND_BUF - (u->chunked ? 16 + 7 : 0), n;
	nk_err e = src_read(sr, data, cap, &n, &u->src_wait, errmsg);
	if (e || u->src_wait)
		return e;
	u->pend = n;
	u->last = n == 0 || (sr->size >= 0 && (int64_t)sr->pos == sr->size);
	if (!u->chunked) {
		u->p = data;
		u->n = n;
		return NK_OK;
	}
	char *q = data + n;
	if (n) {
		char hex[17];
		int h = snprintf(hex, sizeof hex, "%zx\r\n", n);
		memcpy(data - h, hex, (size_t)h);
		u->p = data - h;
		*q++ = '\r';
		*q++ = '\n';
	} else {
		u->p = data;
	}
	if (u->last) {
		/* the last chunk, and the empty trailer section */
		static const char end[5] = { '0', '\r', '\n', '\r', '\n' };
		memcpy(q, end, sizeof end);
		q += sizeof end;
	}
	u->n = (size_t)(q - u->p);
	return NK_OK;
}

/* Shows an interim response (100, 103) and drops it from f->buf. */
static nk_err
pass_interim(nk_fetch *f, const struct step *s, nk_fetch_hop *h,
             const struct nk_http_response *r, size_t *len, char *errmsg)
{
	h->header_bytes += r->head_len;
	s->res->size_header += r->head_len;
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r->head_len,
		             NULL);
	if (s->cb->head) {
		nk_fetch_hop tmp = *h;
		tmp.status = r->status;
		nk_err e = s->cb->head(s->cb->ctx, &tmp, f->buf, r->head_len, 1,
		                       errmsg);
		if (e)
			return e;
	}
	memmove(f->buf, f->buf + r->head_len, *len -= r->head_len);
	return NK_OK;
}

/* Reads what the server sent while the body goes. Interim heads are
 * passed (a 100 ends the wait for it); *final says a final head is
 * complete in f->buf (or the server closed, or sent what does not parse:
 * read_head will tell), so the upload stops. */
static nk_err
up_hear(nk_fetch *f, const struct step *s, nk_conn *c, nk_fetch_hop *h,
        size_t *len, int *got100, int *final, char *errmsg)
{
	size_t n;
	int want;
	if (*len == f->cap) {
		*final = 1;
		return NK_OK;
	}
	nk_err e = nk_conn_try_read(c, f->buf + *len, f->cap - *len, &n, &want,
	                            errmsg);
	if (e)
		return e;
	if (n == 0) {
		*final = !want;
		return NK_OK;
	}
	if (!h->starttransfer)
		h->starttransfer = nk_now();
	*len += n;
	for (;;) {
		struct nk_http_parser p;
		struct nk_http_response r;
		char msg[NK_ERR_MSG_LEN];
		memset(&p, 0, sizeof p);
		p.max_line = f->cfg.max_line;
		p.max_head = f->cfg.max_head;
		memset(&r, 0, sizeof r);
		r.headers = f->hdrs;
		r.max_headers = NK_HTTP_MAX_HEADERS;
		if (nk_http_parse_response(&p, f->buf, *len, &r, msg) != NK_OK) {
			*final = 1;
			return NK_OK;
		}
		if (!r.head_len)
			return NK_OK;
		if (!nk_http_is_interim(&r)) {
			*final = 1;
			return NK_OK;
		}
		if (r.status == 100)
			*got100 = 1;
		if ((e = pass_interim(f, s, h, &r, len, errmsg)) != NK_OK)
			return e;
	}
}

static nk_err
up_timeout(const struct step *s, const nk_fetch_hop *h, const struct up *u,
           char *errmsg)
{
	long long ms = (long long)((nk_now() - h->start) / 1000);
	if (u->src->size >= 0)
		return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation timed "
		               "out after %lld milliseconds with %llu out of %lld "
		               "bytes of the request body sent", ms,
		               (unsigned long long)u->sent, (long long)u->src->size);
	return nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT, "Operation timed out "
	               "after %lld milliseconds with %llu bytes of the request "
	               "body sent", ms, (unsigned long long)u->sent);
	(void)s;
}

/* Writes what is ready: *want says what the conn waits for, 0 when it
 * took bytes. A failed write stops the upload (the server may have
 * answered, and closed): the error is kept for when no answer came. */
static void
up_write(struct up *u, nk_conn *c, const nk_fetch_callbacks *cb, int *want)
{
	size_t n = 0;
	nk_err e;
	if (u->kernel) {
		int64_t left = u->src->size - (int64_t)u->src->pos;
		e = nk_conn_try_sendfile(c, u->src->b->fd, left > (1 << 30)
		                         ? (size_t)1 << 30 : (size_t)left, &n,
		                         want, u->send_msg);
		if (!e && n == 0 && !*want)
			e = nk_fail(u->send_msg, NK_ERR_READ_ERROR, "the request body "
			            "ended after %llu of its %lld bytes",
			            (unsigned long long)u->src->pos,
			            (long long)u->src->size);
		if (!e) {
			u->src->pos += n;
			u->src->used = 1;
			u->sent += n;
			u->last = (int64_t)u->src->pos == u->src->size;
		}
	} else {
		e = nk_conn_try_write(c, u->p, u->n, &n, want, u->send_msg);
		if (!e) {
			u->p += n;
			u->n -= n;
			if (!u->chunked) {
				u->sent += n;
			} else if (u->n == 0) {
				u->sent += u->pend;
			}
		}
	}
	if (e) {
		u->send_err = e;
		u->cut = 1;
		*want = 0;
	} else if (n && cb->sent) {
		cb->sent(cb->ctx, u->sent, u->src->size);
	}
}

/* Sends the body of a request whose head went, and listens while it does:
 * a 100 ends the wait that Expect asked for (or expect_ms does), a final
 * answer ends the upload (the server will not read the rest: the
 * connection then closes after the answer), the deadline bounds it all.
 * On return, *len bytes of the response are in f->buf. */
static nk_err
send_body(nk_fetch *f, const struct step *s, nk_conn *c, nk_fetch_hop *h,
          struct up *u, size_t *len, char *errmsg)
{
	int64_t ems = s->rq->expect100_timeout_ms > 0
	              ? s->rq->expect100_timeout_ms : 1000;
	nk_time wait100 = u->expect ? nk_now() + ems * 1000 : 0;
	for (;;) {
		int want = 0, final = 0, got100 = 0;
		/* Checked at every turn: a server that reads slowly keeps
		 * every write and poll short, and must not outlast it. */
		if (nk_deadline_poll_ms(s->deadline) == 0)
			return up_timeout(s, h, u, errmsg);
		if (!wait100 && !u->kernel && !u->n && !u->last) {
			nk_err e = up_fill(f, u, errmsg);
			if (e)
				return e;
		}
		if (!wait100 && !u->n && u->last && !u->src_wait)
			return NK_OK;
		if (!wait100 && !u->src_wait && (u->n || u->kernel)) {
			up_write(u, c, s->cb, &want);
			if (u->send_err)
				return NK_OK;
		}
		struct pollfd p[2] = {
			{ nk_conn_fd(c), (short)(POLLIN | (want & NK_WANT_WRITE
			                                   ? POLLOUT : 0)), 0 },
			{ u->src->b->fd, POLLIN, 0 },
		};
		int ms = want || u->src_wait || wait100
		         ? nk_deadline_poll_ms(s->deadline) : 0;
		if (wait100) {
			int64_t w = (int64_t)(wait100 - nk_now()) / 1000;
			w = w < 0 ? 0 : w;
			if (ms < 0 || w < ms)
				ms = (int)w;
		}
		if (nk_conn_pending(c))
			ms = 0;
		int r = poll(p, u->src_wait ? 2 : 1, ms);
		if (r < 0 && errno != EINTR)
			return nk_fail(errmsg, NK_ERR_SEND_ERROR, "poll: %s",
			               strerror(errno));
		if (r > 0 && p[1].revents)
			u->src_wait = 0;
		if ((r > 0 && p[0].revents & (POLLIN | POLLHUP | POLLERR)) ||
		    nk_conn_pending(c)) {
			nk_err e = up_hear(f, s, c, h, len, &got100, &final, errmsg);
			if (e)
				return e;
			if (final) {
				u->cut = !(u->last && !u->n);
				return NK_OK;
			}
			if (got100 && wait100) {
				wait100 = 0;
				continue;
			}
		}
		if (wait100 && nk_now() >= wait100) {
			trace(s->cb, "Done waiting for 100-continue");
			wait100 = 0;
		}
	}
}

/* Whether the body is small and in memory: then it goes with the head,
 * unless Expect asks to wait. */
static int
up_inline(const struct up *u)
{
	return u->src && u->src->b->data && !u->expect &&
	       u->src->b->len > 0 && u->src->b->len < INLINE_MAX;
}

/* Whether the body can go from its file to the socket inside the kernel:
 * a regular file, read as it is, over plain TCP. */
static int
up_kernel(const struct up *u, const nk_conn *c)
{
	const struct src *sr = u->src;
	struct stat st;
	return !sr->b->data && !sr->b->read && sr->b->fd >= 0 &&
	       sr->fd_start >= 0 && !u->chunked && sr->size > 0 &&
	       nk_conn_can_splice(c) && fstat(sr->b->fd, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Sends the body of this hop (see send_body) and says how it went. */
static nk_err
up_send(nk_fetch *f, const struct step *s, struct pooled *pc,
        nk_fetch_hop *h, struct up *u, size_t *len, char *errmsg)
{
	u->kernel = up_kernel(u, pc->conn);
	if (u->inline_body)
		u->sent = u->src->b->len;
	nk_err e = u->inline_body ? NK_OK
	           : send_body(f, s, pc->conn, h, u, len, errmsg);
	h->upload_bytes += u->sent;
	s->res->size_upload += u->sent;
	if (e)
		return e;
	if (u->cut && u->src->size >= 0)
		trace(s->cb, "Upload stopped after %llu of %lld bytes: %s",
		      (unsigned long long)u->sent, (long long)u->src->size,
		      u->send_err ? u->send_msg : "the server answered first");
	else if (u->cut)
		trace(s->cb, "Upload stopped after %llu bytes: %s",
		      (unsigned long long)u->sent,
		      u->send_err ? u->send_msg : "the server answered first");
	else
		trace(s->cb, "Upload complete: %llu bytes of request body sent",
		      (unsigned long long)u->sent);
	return NK_OK;
}

/* What body goes on this hop, and how. */
static nk_err
up_plan(const struct step *s, struct up *u, char *errmsg)
{
	memset(u, 0, sizeof *u);
	u->src = s->src;
	if (!u->src)
		return NK_OK;
	u->chunked = u->src->size < 0;
	u->last = u->src->size == 0;
	if (u->chunked && s->rq->http10)
		return nk_fail(errmsg, NK_ERR_UPLOAD_FAILED, "Chunky upload is not "
		               "supported by HTTP 1.0: the body's size is unknown");
	int ue = user_expect(s->rq);
	if (s->no_expect || s->rq->http10)
		u->expect = 0;
	else if (ue >= 0)
		u->expect = ue;
	else
		u->expect = u->src->b->expect_always ? u->src->size != 0
		            : u->src->size < 0 || u->src->size > EXPECT_MIN;
	return NK_OK;
}

/* The credentials for a request to u: the URL's, or the netrc entry for
 * u's own host (looked up on each hop, so a redirect elsewhere gets that
 * host's entry or none). *userpass NULL: none. */
static nk_err
url_userpass(const nk_fetch_request *rq, const nk_url *u, char **userpass,
             char *errmsg)
{
	char *user = nk_url_decode(u, NK_URL_USERNAME, NULL);
	char *pass = nk_url_decode(u, NK_URL_PASSWORD, NULL);
	nk_err e = NK_OK;
	*userpass = NULL;
	if (!user || !pass) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto out;
	}
	if (rq->netrc_file && !(rq->netrc_optional && *pass)) {
		char *nu = NULL, *np = NULL;
		e = nk_netrc_lookup(rq->netrc_file, nk_url_connect_host(u),
		                    *user ? user : NULL, &nu, &np, errmsg);
		if (nu) {
			free(user);
			free(pass);
			user = nu;
			pass = np;
		}
		if (e)
			goto out;
	}
	if (*user || *pass) {
		size_t n = strlen(user) + strlen(pass) + 2;
		*userpass = malloc(n);
		if (!*userpass)
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		else
			snprintf(*userpass, n, "%s:%s", user, pass);
	}
out:
	free(user);
	free(pass);
	return e;
}

/* The jar's view of a URL at this moment. host holds the host name. */
static void
cookie_req(const nk_url *u, char host[256], nk_cookie_req *cr)
{
	const char *h = nk_url_get(u, NK_URL_HOSTNAME);
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '[')
		h++, n -= 2;
	snprintf(host, 256, "%.*s", (int)n, h);
	cr->host = host;
	cr->path = nk_url_get(u, NK_URL_PATHNAME);
	cr->secure = is_https(u);
	cr->now = (int64_t)time(NULL);
}

/* The Cookie line for a step, as curl 7.88 builds it: the jar's cookies,
 * then -b's string. NULL when there is none; *oom on failure. */
static char *
cookie_line(const struct step *s, int *oom)
{
	const nk_fetch_request *rq = s->rq;
	char host[256], *jar = NULL, *line = NULL;
	nk_cookie_req cr;
	if (rq->cookies) {
		cookie_req(s->url, host, &cr);
		jar = nk_cookie_header(rq->cookies, &cr);
	}
	const char *b = rq->cookie && *rq->cookie ? rq->cookie : NULL;
	if ((jar || b) && asprintf(&line, "Cookie: %s%s%s", jar ? jar : "",
	                           jar && b ? "; " : "", b ? b : "") < 0) {
		line = NULL;
		*oom = 1;
	}
	free(jar);
	return line;
}

/* Every Set-Cookie of a hop's response goes to the jar. */
static void
take_cookies(const nk_fetch_request *rq, const nk_url *u,
             const nk_fetch_hop *h)
{
	char host[256];
	nk_cookie_req cr;
	if (!rq->cookies)
		return;
	cookie_req(u, host, &cr);
	for (size_t i = 0; i < h->num_headers; i++)
		if (nk_http_eq(h->headers[i].name, h->headers[i].name_len,
		               "Set-Cookie"))
			nk_cookie_set(rq->cookies, &cr, h->headers[i].value,
			              h->headers[i].value_len);
}

/* The request head for a step. Caller frees *head. */
static nk_err
build_request(struct step *s, const struct nk_proxy *px,
              const struct up *up, char **head, size_t *headlen, char *errmsg)
{
	const nk_fetch_request *rq = s->rq;
	struct nk_http_request r;
	memset(&r, 0, sizeof r);
	char *target = NULL, *userpass = NULL, *pxauth = NULL;
	const char **hdrs = calloc(rq->nheaders + 2, sizeof *hdrs);
	int oom = 0;
	char *cookie = hdrs ? cookie_line(s, &oom) : NULL;
	nk_err e = NK_OK;
	if (!hdrs || oom) {
		free(hdrs);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	size_t nh = 0;
	/* Before the user's headers: where curl puts it. */
	if (cookie)
		hdrs[nh++] = cookie;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const char *hl = rq->headers[i];
		/* Authorization and Cookie the user set are for the host the
		 * user named: not for a redirect elsewhere. */
		if (!s->creds && is_cred_header(hl))
			continue;
		/* Nor is a Host the user set: another host is another server
		 * (curl keeps it for another port of the same host). */
		if (!s->same_host && header_is(hl, "Host"))
			continue;
		hdrs[nh++] = hl;
	}
	if (px && !is_https(s->url)) {
		target = url_no_fragment(s->url, 1);
		if (px->userpass) {
			pxauth = nk_http_basic("Proxy-Authorization: ", px->userpass);
			if (!pxauth) {
				e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
				goto out;
			}
			hdrs[nh++] = pxauth;
		}
	}
	if (s->creds && rq->userpass) {
		r.userpass = rq->userpass;
	} else {
		e = url_userpass(rq, s->url, &userpass, errmsg);
		if (e)
			goto out;
		r.userpass = userpass;
	}
	r.method = s->method;
	r.target = target ? target : nk_url_target(s->url);
	r.host = nk_url_get(s->url, NK_URL_HOST);
	r.http10 = rq->http10;
	r.user_agent = rq->user_agent;
	r.resume_from = rq->resume_from > 0 ? rq->resume_from : 0;
	r.accept_encoding = rq->compressed ? "gzip, deflate" : NULL;
	r.referer = s->referer;
	r.headers = hdrs;
	r.nheaders = nh;
	r.accept = rq->accept;
	if (up->src) {
		r.has_body = !up->chunked;
		r.body_len = up->src->size;
		r.chunked = up->chunked;
		r.content_type = up->src->b->content_type;
		r.expect_continue = up->expect;
	}
	e = nk_http_request_build(&r, head, headlen, errmsg);
out:
	free(hdrs);
	free(cookie);
	free(target);
	free(userpass);
	free(pxauth);
	return e;
}

/* Is a final status one curl retries? */
static int
transient_status(int status)
{
	return status == 408 || status == 429 || status == 500 ||
	       status == 502 || status == 503 || status == 504;
}

/* Sends the request of one hop and reads its response. On return the
 * connection is back in the pool (kept alive) or closed. */
/* Where a request for u goes: the proxy (NULL: straight to the host), and
 * the pool key of the connection that carries it. */
static const struct nk_proxy *
route(const nk_fetch *f, const nk_url *u, char key[KEY_LEN])
{
	const char *host = nk_url_connect_host(u);
	const struct nk_proxy *px = is_https(u) ? &f->https_proxy : &f->http_proxy;
	if (!px->host || nk_no_proxy_for(f->cfg.no_proxy, host))
		px = NULL;
	/* "scheme://host:port proxyhost:proxyport" */
	char *k = key, *end = key + KEY_LEN;
	k = nk_put_str(k, end, nk_url_scheme(u));
	k = nk_put_str(k, end, "://");
	k = nk_put_str(k, end, host);
	k = nk_put_str(k, end, ":");
	k = nk_put_uint(k, end, (unsigned)nk_url_port(u));
	k = nk_put_str(k, end, " ");
	k = nk_put_str(k, end, px ? px->host : "");
	k = nk_put_str(k, end, ":");
	nk_put_uint(k, end, px ? (unsigned)px->port : 0);
	return px;
}

/* Sends the request (unless `sent`: it went ahead earlier) and, when the
 * caller pipelines, the queued requests that follow it to the same place,
 * as many as the window has room for, in the same write. A batch goes
 * when half the window is free, so writes carry many requests. */
static nk_err
send_request(nk_fetch *f, struct step *s, struct pooled *pc,
             const char *key, const char *req, size_t reqlen, int sent,
             char *errmsg)
{
	/* Which queue entry this run is, if any: runs come in queue order,
	 * but a redirect or a request that is not queued comes between. */
	size_t cur = SIZE_MAX;
	if (sent) {
		cur = pc->first_ahead++;
		pc->ahead--;
	} else {
		for (size_t i = f->qpos; i < f->nqueue && i < f->qpos + 64; i++)
			if (queued_is(f, i, key, req, reqlen)) {
				cur = i;
				break;
			}
	}
	if (cur != SIZE_MAX)
		f->qpos = cur + 1;

	size_t more = 0, bytes = sent ? 0 : reqlen, next = 0;
	if (cur != SIZE_MAX && !f->pipe_off &&
	    pc->ahead <= PIPE_WINDOW / 2) {
		next = pc->ahead ? pc->first_ahead + (size_t)pc->ahead : cur + 1;
		while ((size_t)pc->ahead + more < PIPE_WINDOW &&
		       next + more < f->nqueue && f->queue[next + more].key &&
		       strcmp(f->queue[next + more].key, key) == 0)
			bytes += f->queue[next + more++].len;
	}
	if (bytes == 0)
		return NK_OK;
	char *batch = NULL;
	if (more) {
		batch = malloc(bytes);
		if (!batch)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		size_t at = 0;
		if (!sent) {
			memcpy(batch, req, reqlen);
			at = reqlen;
		}
		for (size_t i = 0; i < more; i++) {
			memcpy(batch + at, f->queue[next + i].head,
			       f->queue[next + i].len);
			at += f->queue[next + i].len;
		}
		trace(s->cb, "Pipelining %zu more request%s on connection #%d", more,
		      more == 1 ? "" : "s", pc->id);
	}
	nk_err e = nk_conn_write(pc->conn, batch ? batch : req, bytes,
	                         s->deadline, errmsg);
	free(batch);
	if (!e && more) {
		if (pc->ahead == 0)
			pc->first_ahead = next;
		pc->ahead += (int)more;
	}
	return e;
}

/* Whether a request lost with a reused connection (no byte of an answer)
 * may go again on a new one. The server may have acted on it before the
 * connection died, so only an idempotent method is sent again
 * unasked (RFC 9112 §9.3.1, RFC 9110 §9.2.2); --retry-all-errors asks. */
static int
replayable(const struct step *s)
{
	static const char *const idempotent[] = { "GET", "HEAD", "PUT",
	                                          "DELETE", "OPTIONS", "TRACE" };
	for (size_t i = 0; i < NK_ARRAY_LEN(idempotent); i++)
		if (strcmp(s->method, idempotent[i]) == 0)
			return 1;
	return s->rq->retry_all_errors;
}

/* Drops a connection that will not be reused; if requests were pipelined
 * on it, they will be sent again one at a time, and no more are. */
static void
conn_lost(nk_fetch *f, struct pooled *pc, const struct step *s, int mine)
{
	/* mine: the run's own request went ahead and is unanswered too */
	int n = pc->ahead + (mine ? 1 : 0);
	if (n > 0 && !f->pipe_off) {
		trace(s->cb, "Connection #%d ends with %d pipelined request%s "
		      "unanswered: %s again one at a time", pc->id, n,
		      n == 1 ? "" : "s", n == 1 ? "it goes" : "they go");
		f->pipe_off = 1;
	}
	pool_drop(pc);
}

static nk_err
do_request(nk_fetch *f, struct step *s, nk_fetch_hop *h, char *errmsg)
{
	const nk_url *u = s->url;
	char key[KEY_LEN];
	const struct nk_proxy *px = route(f, u, key);
	h->proxied = px != NULL;

	char *req = NULL;
	size_t reqlen = 0;
	struct up up;
	nk_err e = up_plan(s, &up, errmsg);
	if (!e)
		e = build_request(s, px, &up, &req, &reqlen, errmsg);
	if (e) {
		h->err = e;
		h->end = nk_now();
		return e;
	}
	size_t headlen = reqlen;
	if (up_inline(&up)) {
		/* A small body in memory goes in the head's write, and counts
		 * in size_request, as curl does. */
		char *r2 = realloc(req, reqlen + up.src->b->len);
		if (!r2) {
			free(req);
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		}
		req = r2;
		memcpy(req + reqlen, up.src->b->data, up.src->b->len);
		reqlen += up.src->b->len;
		up.src->used = 1;
		up.last = 1;
		up.inline_body = 1;
	}

	int sent;
	/* A request that may not go again if its connection turns out dead
	 * is worth a poll(2) first: the server may have closed it since. */
	struct pooled pc = pool_take(f, key, req, reqlen, !replayable(s), s->cb,
	                             &sent);
	struct nk_http_response r;
	size_t len = 0;
	int got = 0;
	int fresh_tries = 0, up_failed = 0;
	nk_decoder *dec = NULL;

again:
	if (pc.conn) {
		h->reused = 1;
		h->namelookup = h->connect = h->start;
		if (pc.tls) {
			h->appconnect = h->start;
			h->tls = 1;
			memcpy(h->tls_version, pc.tls_version, sizeof h->tls_version);
			memcpy(h->tls_cipher, pc.tls_cipher, sizeof h->tls_cipher);
			h->tls_verify_ok = pc.tls_verify_ok;
			h->tls_verify_code = pc.tls_verify_code;
		}
		h->connection = pc.id;
		fill_addrs(h, pc.conn);
		trace(s->cb, "Re-using existing connection #%d with %s %s", pc.id,
		      px ? "proxy" : "host",
		      px ? px->display : nk_url_get(u, NK_URL_HOSTNAME));
	} else {
		h->reused = 0;
		pc.key = strdup(key);
		if (!pc.key) {
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
			goto fail;
		}
		e = open_conn(f, s, px, h, &pc, errmsg);
		if (e)
			goto fail;
		h->connection = pc.id;
	}

	h->pretransfer = nk_now();
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_OUT, req, headlen, NULL);
	e = send_request(f, s, &pc, key, req, reqlen, sent, errmsg);
	if (!e) {
		h->request_bytes += reqlen;
		s->res->size_request += reqlen;
		/* A pipelined response may have begun to arrive with the one
		 * before it. */
		len = pc.restlen;
		if (len)
			memcpy(f->buf, pc.rest, len);
		free(pc.rest);
		pc.rest = NULL;
		pc.restlen = 0;
		got = 0;
		if (up.src)
			e = up_send(f, s, &pc, h, &up, &len, errmsg);
		/* up_send said what it timed out on */
		up_failed = e != NK_OK;
	}
	if (!e)
		e = read_head(f, s->cb, pc.conn, &len, &r, s->deadline, h, &got,
		              errmsg);
	if (e && !got && up.send_err) {
		e = up.send_err;
		memcpy(errmsg, up.send_msg, NK_ERR_MSG_LEN);
	}
	if (e && h->reused && !got && e != NK_ERR_OPERATION_TIMEDOUT &&
	    !replayable(s)) {
		char why[NK_ERR_MSG_LEN];
		memcpy(why, errmsg, sizeof why);
		nk_fail(errmsg, e, "%.150s, on a reused connection: a %s is not "
		        "sent again (the server may have acted on it)", why,
		        s->method);
	}
	/* cppcheck does not follow the goto back to again: (fresh_tries 1). */
	/* cppcheck-suppress knownConditionTrueFalse */
	else if (e && h->reused && !got && fresh_tries == 0 &&
	         e != NK_ERR_OPERATION_TIMEDOUT) {
		/* The server closed the idle connection as we reused it: say
		 * so and try once more on a new one. */
		trace(s->cb, "Connection #%d died (%s), retrying on a new "
		      "connection", pc.id, errmsg);
		if (up.src && src_rewind(up.src, "send the body again on a new "
		                         "connection", errmsg) != NK_OK)
			goto fail;
		/* The body goes again from its start (or with the head). */
		int inl = up.inline_body;
		up_plan(s, &up, errmsg);
		up.inline_body = inl;
		up.last |= inl;
		conn_lost(f, &pc, s, sent);
		sent = 0;
		fresh_tries++;
		h->starttransfer = 0;
		goto again;
	}
	if (e == NK_ERR_OPERATION_TIMEDOUT && !up_failed)
		nk_fail(errmsg, e, "Operation timed out after %lld milliseconds "
		        "waiting for the response from %s",
		        (long long)((nk_now() - h->start) / 1000),
		        nk_url_get(u, NK_URL_HOST));
	if (e)
		goto fail;

	/* Interim responses: shown, then skipped. */
	while (nk_http_is_interim(&r)) {
		e = pass_interim(f, s, h, &r, &len, errmsg);
		if (e)
			goto fail;
		e = read_head(f, s->cb, pc.conn, &len, &r, s->deadline, h, &got,
		              errmsg);
		if (e)
			goto fail;
	}
	h->header_bytes += r.head_len;
	s->res->size_header += r.head_len;
	if (s->cb->trace)
		s->cb->trace(s->cb->ctx, NK_FETCH_HEAD_IN, f->buf, r.head_len, NULL);
	e = keep_head(h, f->buf, &r, errmsg);
	if (e)
		goto fail;

	struct nk_http_body b;
	memset(&b, 0, sizeof b);
	b.max_line = f->cfg.max_line;
	b.max_trailer = f->cfg.max_head;
	nk_err framing = nk_http_body_init(&b, s->method, &r, errmsg);
	if (!framing && b.mode == NK_HTTP_BODY_TUNNEL)
		framing = nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "the server "
		                  "switched protocols (%d): not HTTP any more",
		                  r.status);
	h->content_length = b.mode == NK_HTTP_BODY_LENGTH ? b.length
	                    : b.mode == NK_HTTP_BODY_NONE ? 0 : -1;

	/* A redirect we follow: its body is read and dropped. */
	const struct nk_http_header *loc = nk_http_header_find(&r, "Location",
	                                                       NULL);
	/* An empty Location names no other place: curl ignores it, and
	 * resolved it would be this URL again, until --max-redirs. */
	if (loc && loc->value_len == 0)
		loc = NULL;
	int redirect = (r.status == 301 || r.status == 302 || r.status == 303 ||
	                r.status == 307 || r.status == 308) && loc;
	if (loc && r.status / 100 == 3) {
		char *l = strndup(loc->value, loc->value_len);
		nk_url *t = NULL;
		char msg[NK_ERR_MSG_LEN];
		if (l && nk_url_resolve(u, l, &t, msg) == NK_OK)
			h->location = strdup(nk_url_get(t, NK_URL_HREF));
		nk_url_free(t);
		free(l);
	}
	/* A 417 to our Expect: the same request goes again without it. */
	s->again_417 = r.status == 417 && up.expect && up.cut && !s->no_expect;
	if (s->again_417)
		trace(s->cb, "Got 417 while waiting for a 100: sending again "
		      "without Expect");
	int discard = !s->deliver || (redirect && s->follow) || s->again_417;
	if (!framing && redirect && s->follow && !h->location) {
		char msg[NK_ERR_MSG_LEN] = "";
		char *l = strndup(loc->value, loc->value_len);
		nk_url *t = NULL;
		if (l && nk_url_resolve(u, l, &t, msg) == NK_OK)
			msg[0] = '\0';
		nk_url_free(t);
		framing = nk_fail(errmsg, NK_ERR_URL_MALFORMAT, "bad redirect "
		                  "Location \"%.100s\": %s", l ? l : "",
		                  msg[0] ? msg : "out of memory");
		free(l);
	}

	/* Resume: only a range starting where asked for is appended; any
	 * other answer (an error page too) would be appended to the part
	 * there is as if it were the rest. --fail judges an error first. */
	int64_t total;
	if (!framing && s->rq->resume_from > 0 && !discard &&
	    strcmp(s->method, "HEAD") != 0 &&
	    !(s->rq->fail && r.status >= 400)) {
		if (r.status == 416) {
			s->res->already_complete = 1;
			discard = 1;
			trace(s->cb, "The whole file was already there (416)");
		} else if (r.status == 206) {
			int64_t st = range_start(&r, &total);
			if (st != s->rq->resume_from) {
				framing = nk_fail(errmsg, NK_ERR_RANGE_ERROR, "the server "
				                  "sent a range starting at %lld, not at "
				                  "%lld as asked", (long long)st,
				                  (long long)s->rq->resume_from);
			}
		} else if (b.mode == NK_HTTP_BODY_LENGTH &&
		           b.length == s->rq->resume_from) {
			s->res->already_complete = 1;
			discard = 1;
			trace(s->cb, "The whole file was already there");
		} else {
			/* An empty answer appends nothing: only a body byte is
			 * refused, as in curl. */
			s->range_refused = 1;
		}
	}

	if (s->cb->head) {
		e = s->cb->head(s->cb->ctx, h, h->head, h->head_len, 0, errmsg);
		if (e)
			goto fail;
	}
	if (framing) {
		e = framing;
		goto fail;
	}
	if (!discard && s->rq->fail && r.status >= 400) {
		e = nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR,
		            "The requested URL returned error: %d", r.status);
		goto fail;
	}
	if (!discard && s->retry && transient_status(r.status) &&
	    !s->range_refused && src_restartable(s->src) &&
	    retry_ready(s->retry, s->cb, s->res)) {
		e = nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR, "HTTP error %d "
		            "(transient)", r.status);
		goto fail;
	}
	if (!discard && s->rq->max_filesize > 0 && h->content_length >
	    s->rq->max_filesize) {
		e = nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "Maximum file size "
		            "exceeded: the body is %lld bytes, the limit %lld",
		            (long long)h->content_length,
		            (long long)s->rq->max_filesize);
		goto fail;
	}

	struct sinkctx k = { s };
	if (!discard && (b.te_codings ||
	                 (s->rq->compressed &&
	                  nk_http_header_find(&r, "Content-Encoding", NULL)))) {
		e = nk_decoder_new(&dec, errmsg);
		if (!e)
			e = nk_decoder_add_response(dec, &r, NK_DECODE_TRANSFER |
			                            (s->rq->compressed ? NK_DECODE_CONTENT
			                                               : 0), errmsg);
		if (e)
			goto fail;
		if (!nk_decoder_active(dec)) {
			nk_decoder_free(dec);
			dec = NULL;
		}
	}

	/* The header views are done with: the body starts at the front. */
	memmove(f->buf, f->buf + r.head_len, len -= r.head_len);
	const char *out_name = NULL;
	int out_fd = splice_target(s, &b, dec, discard, pc.conn, &out_name);
	int skip = redirect && s->follow && !drain_redirect(&b);
	if (b.mode == NK_HTTP_BODY_CHUNKED && !discard && s->cb->trailers)
		keep_trailers(f, &b);
	for (;;) {
		if (skip || (redirect && s->follow && b.received > DRAIN_MAX)) {
			trace(s->cb, "Not waiting for the rest of the redirect's body");
			skip = 1;
			len = 0;
			break;
		}
		const char *q = f->buf;
		size_t left = len;
		while (left > 0 && !b.done) {
			size_t used, dn;
			const char *d;
			e = nk_http_body_feed(&b, q, left, &used, &d, &dn, errmsg);
			if (e)
				goto fail;
			q += used;
			left -= used;
			if (!dn || discard)
				continue;
			/* curl's size_download: body bytes before decoding. */
			s->res->size_download += dn;
			if (dec)
				e = nk_decoder_write(dec, d, dn, deliver, &k, errmsg);
			else
				e = deliver(&k, d, dn, errmsg);
			if (e)
				goto fail;
		}
		h->body_bytes = b.received;
		if (b.done) {
			/* What follows is the next response's (pipelining). */
			memmove(f->buf, q, left);
			len = left;
			break;
		}
		size_t n;
		uint64_t raw = out_fd >= 0 ? nk_http_body_raw_left(&b) : 0;
		/* What the caller holds of this body (the part that came
		 * with the head) must reach out_fd before the rest does. */
		if (raw >= SPLICE_MIN && s->cb->flush &&
		    (e = s->cb->flush(s->cb->ctx, errmsg)) != NK_OK)
			goto fail;
		if (raw >= SPLICE_MIN)
			e = nk_conn_splice(pc.conn, out_fd, out_name, raw > SIZE_MAX
			                   ? SIZE_MAX : (size_t)raw, s->deadline, &n,
			                   errmsg);
		else
			e = read_or_flush(s->cb, pc.conn, f->buf, f->cap, s->deadline,
			                 &n, NULL, errmsg);
		if (e == NK_ERR_OPERATION_TIMEDOUT) {
			long long ms = (long long)((nk_now() - h->start) / 1000);
			if (b.mode == NK_HTTP_BODY_LENGTH)
				nk_fail(errmsg, e, "Operation timed out after %lld "
				        "milliseconds with %llu out of %lld bytes received",
				        ms, (unsigned long long)b.received,
				        (long long)b.length);
			else
				nk_fail(errmsg, e, "Operation timed out after %lld "
				        "milliseconds with %llu bytes received", ms,
				        (unsigned long long)b.received);
		}
		if (e)
			goto fail;
		if (n == 0) {
			e = body_eof(&b, pc.conn, errmsg);
			if (e)
				goto fail;
			len = 0;
			break;
		}
		if (!h->starttransfer)
			h->starttransfer = nk_now();
		if (raw >= SPLICE_MIN) {
			/* Already out: the framer and the caller only count it. */
			nk_http_body_passed(&b, n);
			s->res->size_download += n;
			e = deliver(&k, NULL, n, errmsg);
			if (e)
				goto fail;
			n = 0;
		}
		len = n;
	}
	if (dec) {
		e = nk_decoder_finish(dec, deliver, &k, errmsg);
		if (e)
			goto fail;
	}
	nk_decoder_free(dec);
	dec = NULL;
	if (b.trailer_len && !discard && s->cb->trailers) {
		e = s->cb->trailers(s->cb->ctx, f->tbuf, b.trailer_len, errmsg);
		if (e)
			goto fail;
	}
	h->end = nk_now();
	free(req);
	if (b.keep_alive && (len == 0 || pc.ahead > 0) && !s->rq->http10 &&
	    !skip && !up.cut) {
		/* Bytes after the response are the next one's, if it was asked
		 * for; otherwise junk. */
		if (len) {
			pc.rest = malloc(len);
			if (!pc.rest) {
				conn_lost(f, &pc, s, 0);
				return NK_OK;
			}
			memcpy(pc.rest, f->buf, len);
			pc.restlen = len;
		}
		trace(s->cb, "Connection #%d to %s left intact", pc.id,
		      nk_url_get(u, NK_URL_HOSTNAME));
		pool_put(f, &pc);
	} else {
		if (len)
			trace(s->cb, "Closing connection #%d: %zu bytes after the "
			      "response", pc.id, len);
		else
			trace(s->cb, "Closing connection #%d", pc.id);
		conn_lost(f, &pc, s, 0);
	}
	return NK_OK;

fail:
	nk_decoder_free(dec);
	h->end = nk_now();
	h->err = e;
	free(req);
	if (pc.conn)
		trace(s->cb, "Closing connection #%d", pc.id);
	conn_lost(f, &pc, s, 0);
	return e;
}

/* ---- pipelining: requests sent before their turn ------------------- */

nk_err
nk_fetch_pipeline(nk_fetch *f, const nk_fetch_request *rqs, size_t n,
                  char *errmsg)
{
	queue_clear(f);
	f->pipe_off = 0;
	if (n == 0)
		return NK_OK;
	f->queue = calloc(n, sizeof *f->queue);
	if (!f->queue)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	f->nqueue = n;
	for (size_t i = 0; i < n; i++) {
		const nk_fetch_request *rq = &rqs[i];
		const char *method = rq->method ? rq->method : "GET";
		/* Only what may safely be asked twice goes ahead (RFC 9112
		 * §9.3.2): a request lost with its connection is asked again. A
		 * request that stays out keeps its place (key NULL). */
		if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
		    rq->http10 || !rq->url)
			continue;
		nk_url *u = NULL;
		char msg[NK_ERR_MSG_LEN];
		if (parse_url(rq->url, rq->default_scheme ? rq->default_scheme
		                                          : "http", &u, msg) != NK_OK)
			continue;
		if (is_http(u)) {
			struct step st;
			memset(&st, 0, sizeof st);
			st.rq = rq;
			st.url = u;
			st.method = method;
			st.creds = 1;
			st.same_host = 1;
			st.referer = rq->referer;
			char key[KEY_LEN];
			const struct nk_proxy *px = route(f, u, key);
			struct queued *q = &f->queue[i];
			struct up none;
			memset(&none, 0, sizeof none);
			if (build_request(&st, px, &none, &q->head, &q->len, msg)
			    == NK_OK) {
				q->key = strdup(key);
				if (!q->key) {
					nk_url_free(u);
					queue_clear(f);
					return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY,
					               "out of memory");
				}
			}
		}
		nk_url_free(u);
	}
	return NK_OK;
}

/* ---- a transfer: redirects within one try --------------------------- */

/* The method after a redirect, as curl 7.88 picks it: 301 and 302 turn
 * POST into GET, 303 turns all but HEAD into GET (unless --post30x keeps
 * a POST). *body says whether the body goes on. */
static const char *
redirect_method(const nk_fetch_request *rq, int status, const char *method,
                int *body)
{
	int post = strcmp(method, "POST") == 0;
	int keep = status == 301 ? !post || rq->post301
	           : status == 302 ? !post || rq->post302
	           : status == 303 ? (post && rq->post303) ||
	                             strcmp(method, "GET") == 0
	           : 1;
	if (keep)
		return method;
	*body = 0;
	return strcmp(method, "HEAD") == 0 ? method : "GET";
}

static nk_err
one_try(nk_fetch *f, const nk_fetch_request *rq, const nk_fetch_callbacks *cb,
        nk_fetch_result *res, struct retry *retry, uint64_t *delivered,
        struct src *src, char *errmsg)
{
	nk_url *first = NULL, *cur = NULL;
	nk_err e = parse_url(rq->url, rq->default_scheme ? rq->default_scheme
	                                                 : "http", &first, errmsg);
	if (e)
		return e;
	cur = nk_url_dup(first);
	if (!cur) {
		nk_url_free(first);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	const char *method = rq->method ? rq->method : "GET";
	long max = rq->max_redirs == 0 ? DEFAULT_REDIRS
	           : rq->max_redirs == NK_FETCH_REDIRS_NONE ? 0 : rq->max_redirs;
	long redirects = 0;
	char *referer = rq->referer ? strdup(rq->referer) : NULL;
	nk_time deadline = rq->max_time_ms > 0
	                   ? nk_now() + rq->max_time_ms * 1000 : NK_NO_DEADLINE;
	int body = src != NULL, no_expect = 0;
	for (;;) {
		nk_fetch_hop *h = hop_add(res, cur, method, errmsg);
		if (!h) {
			e = NK_ERR_OUT_OF_MEMORY;
			break;
		}
		if (!is_http(cur)) {
			e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Protocol \"%s\" "
			            "not supported: nk http fetches http and https URLs",
			            nk_url_scheme(cur));
			h->err = e;
			h->end = nk_now();
			break;
		}
		struct step s;
		memset(&s, 0, sizeof s);
		s.rq = rq;
		s.cb = cb;
		s.res = res;
		s.url = cur;
		s.method = method;
		s.creds = same_origin(cur, first);
		s.same_host = strcasecmp(nk_url_connect_host(cur),
		                         nk_url_connect_host(first)) == 0;
		s.referer = referer;
		s.deliver = 1;
		s.follow = rq->follow;
		s.retry = retry;
		s.deadline = deadline;
		s.delivered = delivered;
		s.src = body ? src : NULL;
		s.no_expect = no_expect;
		e = do_request(f, &s, h, errmsg);
		take_cookies(rq, cur, h);
		if (!e && s.again_417) {
			no_expect = 1;
			e = src_rewind(src, "send the body again after the 417",
			               errmsg);
			if (e)
				break;
			continue;
		}
		if (e || !rq->follow || !h->location)
			break;
		if (!(h->status == 301 || h->status == 302 || h->status == 303 ||
		      h->status == 307 || h->status == 308))
			break;
		nk_url *next = NULL;
		e = nk_url_parse(h->location, NULL, &next, errmsg);
		if (e)
			break;
		if (!is_http(next)) {
			e = nk_fail(errmsg, NK_ERR_UNSUPPORTED_PROTOCOL, "Refusing to "
			            "follow a redirect to %.150s: only http and https "
			            "are followed", h->location);
			nk_url_free(next);
			break;
		}
		if (max >= 0 && redirects >= max) {
			e = nk_fail(errmsg, NK_ERR_TOO_MANY_REDIRECTS, "Maximum (%ld) "
			            "redirects followed", max);
			nk_url_free(next);
			break;
		}
		redirects++;
		/* RFC 9110 §15.4: 303 always, and 301/302 in practice, turn a
		 * POST into a GET; 307 and 308 keep the method and the body.
		 * HEAD stays HEAD, or a redirect would download a body. */
		const char *m = redirect_method(rq, h->status, method, &body);
		if (m != method)
			trace(cb, "Switch from %s to %s", method, m);
		method = m;
		if (body) {
			char why[64];
			snprintf(why, sizeof why, "follow the %d redirect", h->status);
			e = src_rewind(src, why, errmsg);
			if (e) {
				nk_url_free(next);
				break;
			}
		}
		if (rq->auto_referer) {
			free(referer);
			referer = url_no_fragment(cur, 1);
		}
		if (!same_origin(next, first) && has_creds(rq))
			trace(cb, "Not sending the user's credentials to %s: not the "
			      "host the user named", nk_url_get(next, NK_URL_HOST));
		trace(cb, "Following redirect %d to %s", h->status, h->location);
		nk_url_free(cur);
		cur = next;
	}
	free(referer);
	nk_url_free(cur);
	nk_url_free(first);
	return e;
}

/* A failure curl (and nk) may try again. nk also retries a connection
 * that broke before the transfer completed (52, 55, 56, 18): with -C -,
 * the retry continues where the last try stopped. */
static int
transient(nk_err e, const nk_fetch_result *res, const nk_fetch_request *rq)
{
	const nk_fetch_hop *h = nk_fetch_result_final(res);
	switch (e) {
	case NK_ERR_OPERATION_TIMEDOUT:
	case NK_ERR_COULDNT_RESOLVE_HOST:
	case NK_ERR_COULDNT_RESOLVE_PROXY:
	case NK_ERR_GOT_NOTHING:
	case NK_ERR_SEND_ERROR:
	case NK_ERR_RECV_ERROR:
	case NK_ERR_PARTIAL_FILE:
		return 1;
	case NK_ERR_COULDNT_CONNECT:
		return rq->retry_connrefused;
	case NK_ERR_HTTP_RETURNED_ERROR:
		return h && transient_status(h->status);
	default:
		return rq->retry_all_errors;
	}
}

/* Retry-After (RFC 9110 §10.2.3): seconds or an HTTP date; -1 if none. */
static int64_t
retry_after_ms(const nk_fetch_result *res)
{
	const nk_fetch_hop *h = nk_fetch_result_final(res);
	char v[64];
	if (!h || !nk_fetch_hop_header(h, "Retry-After", v, sizeof v))
		return -1;
	char *end;
	long long secs = strtoll(v, &end, 10);
	if (end != v && *end == '\0' && secs >= 0)
		return secs > 86400 ? 86400000 : secs * 1000;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
		time_t when = timegm(&tm), now = time(NULL);
		return when > now ? (int64_t)(when - now) * 1000 : 0;
	}
	return -1;
}

static void
warn(const nk_fetch_callbacks *cb, const char *text)
{
	if (cb->trace)
		cb->trace(cb->ctx, NK_FETCH_WARNING, text, strlen(text), NULL);
}

/* Whether the retry after this try's failure will go: its wait must end
 * within --retry-max-time, and the caller must take back what it was
 * given (or keep a resumable body). Then the retry is ready, and it waits
 * rt->wait ms. When it will not go, the try's outcome stands: a transient
 * status is then the response, delivered as any other. */
static int
retry_ready(struct retry *rt, const nk_fetch_callbacks *cb,
            nk_fetch_result *res)
{
	nk_fetch_request *r = rt->rq;
	int64_t wait = r->retry_delay_ms > 0 ? r->retry_delay_ms : rt->backoff;
	int64_t ra = retry_after_ms(res);
	if (ra >= 0 && r->retry_delay_ms <= 0)
		wait = ra;
	if (r->retry_max_time_ms > 0 && nk_now() + wait * 1000 >
	    rt->start + r->retry_max_time_ms * 1000) {
		if (ra >= 0 && r->retry_delay_ms <= 0)
			warn(cb, "The Retry-After: time would make this command line "
			     "exceed the maximum allowed time for retries.");
		return 0;
	}
	/* The caller may have written heads or body: it takes them back (or
	 * keeps a resumable body). */
	if (*rt->delivered > 0 || cb->restart) {
		char msg[NK_ERR_MSG_LEN];
		int64_t from = r->resume_from;
		if (!cb->restart || cb->restart(cb->ctx, &from, msg) != NK_OK)
			return 0;
		if (from != r->resume_from) {
			r->resume_from = from;
		} else {
			*rt->delivered = 0;
			res->size_download = 0;
		}
	}
	rt->wait = wait;
	rt->ready = 1;
	return 1;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

nk_err
nk_fetch_run(nk_fetch *f, const nk_fetch_request *rq,
             const nk_fetch_callbacks *cb, nk_fetch_result *res,
             char *errmsg)
{
	static const nk_fetch_callbacks nocb;
	memset(res, 0, sizeof *res);
	res->start = nk_now();
	if (!cb)
		cb = &nocb;
	if (!rq || !rq->url) {
		res->err = nk_fail(res->errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		                   "no URL to fetch");
		nk_fail(errmsg, res->err, "%s", res->errmsg);
		return res->err;
	}
	nk_fetch_request r = *rq;
	uint64_t delivered = 0;
	struct src src;
	if (rq->body)
		src_init(&src, rq->body);
	struct retry rt = { &r, &delivered, res->start, 1000, 0, 0 };
	nk_err e;
	for (int tries = 0;; tries++) {
		char msg[NK_ERR_MSG_LEN] = "";
		int can_retry = tries < r.retry && (r.retry_max_time_ms <= 0 ||
		                nk_now() - res->start < r.retry_max_time_ms * 1000);
		rt.ready = 0;
		e = one_try(f, &r, cb, res, can_retry ? &rt : NULL, &delivered,
		            rq->body ? &src : NULL, msg);
		memcpy(res->errmsg, msg, sizeof msg);
		if (!e || !can_retry || !transient(e, res, &r))
			break;
		/* A body is sent again only from its start. */
		char rmsg[NK_ERR_MSG_LEN];
		if (rq->body && src_rewind(&src, "retry", rmsg) != NK_OK) {
			warn(cb, rmsg);
			break;
		}
		if (!rt.ready && !retry_ready(&rt, cb, res))
			break;
		int64_t wait = rt.wait;
		if (cb->trace) {
			char line[NK_ERR_MSG_LEN * 2];
			int n = snprintf(line, sizeof line, "Transient problem: %s. "
			                 "Will retry in %.1f seconds, %d %s left.",
			                 res->errmsg, (double)wait / 1000,
			                 r.retry - tries,
			                 r.retry - tries == 1 ? "retry" : "retries");
			if (n > 0)
				cb->trace(cb->ctx, NK_FETCH_WARNING, line,
				          (size_t)n < sizeof line ? (size_t)n
				                                  : sizeof line - 1, NULL);
		}
		if (wait > 0)
			sleep_ms(wait);
		if (r.retry_delay_ms <= 0 && rt.backoff < 600000)
			rt.backoff *= 2;
		for (size_t i = 0; i < res->nhops; i++)
			hop_clear(&res->hops[i]);
		res->nhops = 0;
		res->num_connects = 0;
		res->size_header = res->size_request = 0;
		res->already_complete = 0;
		res->retries++;
	}
	if (rq->body)
		free(src.kept);
	res->err = e;
	res->end = nk_now();
	if (e)
		nk_fail(errmsg, e, "%s", res->errmsg);
	else
		res->errmsg[0] = '\0';
	return e;
}
