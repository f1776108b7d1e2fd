/* fetch_int.h: the fetch layer's shared types, and who owns what.
 *
 * nk_fetch_run (run.c) is the top: it runs tries (retry.c says whether
 * another goes), a try follows redirects (redirect.c), and each hop is one
 * exchange on one connection (exchange.c), in this order:
 *
 *   connection   pool.c (kept ones, reuse) or connect.c (TCP, tunnel, TLS)
 *   send         request.c builds the head (cookies.c, target.c, netrc.c
 *                help), pipeline.c writes it (with queued ones after it),
 *                upload.c the body (from source.c)
 *   head         response.c reads it; result.c keeps it in the hop record
 *   decide       decide.c: ONE action from the head (framing, redirect,
 *                417, a 401 to answer, resume, --fail, retry, size limit)
 *   body         body.c pumps it to the caller, or drains it
 *   release      exchange.c hands the connection to pool.c or closes it
 *
 * Calls go one way, down: run > redirect > exchange > {decide > retry,
 * body, upload, connect, pool > pipeline > request > cookies} > the
 * leaves (result, response, source, target, trace, netrc, pace, room:
 * response.c and body.c grow the read buffer through room.c). fetch.c
 * (the fetcher's life) uses pool and pipeline. No file calls one above
 * it, so the types all live here.
 *
 * Errors: every function that returns nk_err has written errmsg when it
 * is not NK_OK, in the words the user will see; nothing here prints. */
#ifndef NK_FETCH_INT_H
#define NK_FETCH_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include "nk/fetch.h"
#include "nk/url.h"
#include "net/conn_int.h"
#include "http/http_int.h"
#include "net/proxy_int.h"
#include "http/auth_int.h"
#include "core/internal.h"

#define DEFAULT_BUFSIZE (512 * 1024)
/* The read buffer and header array a fetcher starts with (room.c says
 * when they grow): a head and the start of its body, and the fields of
 * almost any response. */
#define FIRST_BUF (16 * 1024)
#define FIRST_HEADERS 64
/* What a body's reads grow to, unless nk_fetch_config.bufsize says: over
 * TLS a read takes what one recv() of the TLS layer brought (64 KiB), and
 * plain bodies that are not spliced go as fast in 128 KiB reads as in
 * 512 KiB ones (1 GiB over https, 60 MiB gzip over http: the same client
 * CPU within the noise). */
#define BODY_BUF_MAX (128 * 1024)
#define POOL_SIZE 4
/* A fetcher others share (nk_fetch_new_shared) keeps up to POOL_SIZE
 * more connections for each of them, up to this. */
#define POOL_MAX 64
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

/* What a TLS handshake established, as the hop record shows it: taken
 * from nk_tls_info once (connect.c), kept whole with the connection and
 * given whole to every hop that uses it (result.c). */
struct tls_facts {
	int tls;                /* the connection is TLS: the rest is set */
	char version[16];
	char cipher[80];
	int verify_ok;
	long verify_code;
	int resumed;            /* on the handshake's own hop only */
};

/* A connection, from its opening to its release; idle in the pool
 * between requests to the same place. */
struct pooled {
	nk_conn *conn;
	char *key;              /* "scheme://host:port proxy" */
	int id;
	nk_time idle_since;
	struct tls_facts tls;
	long proxy_verify;      /* an HTTPS proxy's verify code, for each hop */
	/* Pipelining: queue entries first_ahead .. first_ahead + ahead - 1
	 * were sent on this connection and wait for their responses, which
	 * start with the `rest` bytes already read (owned). */
	size_t first_ahead;
	int ahead;
	char *rest;
	size_t restlen;
	struct h2conn *h2;      /* HTTP/2 was negotiated: its session (h2x.c;
	                           owned), else NULL */
	int borrowed;           /* an HTTP/2 connection the pool keeps while
	                           exchanges use it: this copy owns nothing */
};

/* A connection being opened by a task, which others that could share it
 * (HTTP/2) wait for rather than open their own (pool.c). */
struct opening {
	const char *key;
	struct opening *next;
};

/* A request the caller will run later (nk_fetch_pipeline): its first
 * request head as it will be sent, and where to. */
struct queued {
	char *key;
	char *head;
	size_t len;
};

/* --limit-rate, one direction (pace.c). */
struct pace {
	int64_t rate;           /* bytes a second; 0: no limit */
	double tokens;          /* bytes that may go now (below 0: owed) */
	double cap;             /* the most the bucket holds */
	nk_time last;           /* tokens were counted then */
};

/* A response head read while the download is paced: small reads, so
 * that little of the body comes with it unpaced. */
#define PACE_HEAD_READ (16 * 1024)

struct nk_fetch {
	nk_fetch_config cfg;
	nk_tls_ctx *tls;        /* made on the first https request */
	nk_tls_ctx *ptls;       /* to an HTTPS proxy: made at its first use */
	struct pooled pool[POOL_MAX];
	int npool;              /* of pool, those in use: POOL_SIZE, more
	                           for a fetcher others share */
	int next_id;
	nk_fetch *home;         /* whose pool, TLS contexts and connection
	                           numbers this one uses (nk_fetch_new_shared),
	                           or NULL: its own */
	struct opening *opening;/* connections tasks are opening now */
	struct nk_waitq opened; /* tasks waiting for one of them */
	char *buf;
	size_t cap;             /* of buf, which grows (fetch_room) to max */
	size_t max;
	size_t body_max;        /* the most a body's reads make it grow to */
	struct nk_http_header *hdrs;
	size_t nhdrs;           /* entries in hdrs: FIRST_HEADERS, or
	                           NK_HTTP_MAX_HEADERS once more came */
	struct nk_proxy http_proxy, https_proxy;
	struct queued *queue;   /* nk_fetch_pipeline's, or NULL */
	size_t nqueue;
	size_t qpos;            /* the entry the next run should match */
	int pipe_off;           /* a pipelined connection was lost: no more */
	char *tbuf;             /* trailer lines for cb->trailers, or NULL */
	char *sbuf;             /* SEND_BUF for request bodies, or NULL */
	struct pace down, up;   /* the run's --limit-rate */
	struct nk_auth pauth;   /* the run's authentication with the HTTP
	                           proxy (zeroed by nk_fetch_run) */
};

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
	struct nk_auth *auth;   /* the transfer's authentication with the
	                           server (run.c; pipeline.c's own for a
	                           head sent ahead), or NULL: no credentials */
	struct nk_auth *pauth;  /* the run's with the proxy (f->pauth), or
	                           NULL: --proxy-user's Basic as it stands */
	char *authz;            /* this request's Authorization value, or
	                           NULL (owned; auth_prepare) */
	char *userpass;         /* the credentials auth->user and ->pass
	                           point into (owned; auth_prepare) */
	int probe;              /* the body is held back: Content-Length: 0
	                           until the server's challenge is answered */
	int no_probe;           /* a probe got a 2xx: hold nothing back */
	int again_auth;         /* out: send again, answering the 401 */
	nk_url *next;           /* out: the redirect to follow (owned), or
	                           NULL */
};

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
	int paced;              /* --limit-rate: never with the head */
};

/* One exchange in progress (exchange.c): what its steps hand on. */
struct exchange {
	char key[KEY_LEN];      /* the pool's key for the route */
	const struct nk_proxy *px;   /* NULL: straight to the host */
	char *req;              /* the request head, and an inline body */
	size_t reqlen;
	size_t headlen;         /* of req, the head */
	struct up up;           /* the request body */
	struct pooled pc;       /* the connection, reused or new */
	int sent;               /* the request went ahead (pipelining) */
	int got;                /* a byte of the response came */
	int up_failed;          /* the upload failed and said why */
	int fresh_tries;        /* new connections after a reused one died */
	struct nk_http_response r;   /* the final head, at f->buf's front */
	size_t len;             /* bytes in f->buf */
	struct nk_http_body b;  /* the body's framer */
	nk_decoder *dec;        /* its decoder, or NULL */
	struct h2_stream *st;   /* its HTTP/2 stream (h2x.c), or NULL */
	int skip;               /* a redirect's body was left unread */
};

/* What an exchange does after the final head (decide.c). */
enum after_head {
	AFTER_FAIL,             /* the exchange ends: *err, errmsg say why */
	AFTER_DELIVER,          /* the body goes to the caller */
	AFTER_DISCARD,          /* the body is read and dropped */
	AFTER_FOLLOW,           /* a redirect to follow (s->next): its body
	                           is drained while small */
};

/* trace.c: lines for cb->trace */
void fetch_trace(const nk_fetch_callbacks *cb, const char *fmt, ...)
	NK_PRINTF(2, 3);
void fetch_warn(const nk_fetch_callbacks *cb, const char *text);
/* Whether trace() takes lines of this kind: set and not skipped. */
static inline int
fetch_wants(const nk_fetch_callbacks *cb, nk_fetch_trace kind)
{
	return cb->trace && !(cb->trace_skip & (1u << kind));
}

/* room.c: the read buffer and the header array. fetch_room makes f->buf
 * hold at least need bytes (what it holds is kept; pointers into it are
 * not), or fails when need is over f->max; fetch_more_headers makes
 * f->hdrs the largest (NK_HTTP_MAX_HEADERS), or fails when it is. */
nk_err fetch_room(nk_fetch *f, size_t need, char *errmsg);
nk_err fetch_more_headers(nk_fetch *f, char *errmsg);

/* pace.c: --limit-rate (a zeroed pace has no limit). pace_allow: how
 * much of `want` may go now (0: wait pace_wait_ms); pace_used: n went.
 * pace_sleep waits until a byte may go; NK_ERR_OPERATION_TIMEDOUT (the
 * caller words it) if the deadline comes first. */
void pace_init(struct pace *p, int64_t rate);
size_t pace_allow(struct pace *p, size_t want);
void pace_used(struct pace *p, size_t n);
int pace_wait_ms(struct pace *p);
nk_err pace_sleep(struct pace *p, nk_time deadline);

/* target.c: the URL a request goes to, and the user's headers for it */
nk_err fetch_parse_url(const char *in, const char *scheme, nk_url **out,
                       char *errmsg);
int is_http(const nk_url *u);
int is_https(const nk_url *u);
int same_origin(const nk_url *a, const nk_url *b);
char *url_no_fragment(const nk_url *u, int strip_userinfo);
int header_is(const char *h, const char *name);
int is_cred_header(const char *h);
int has_creds(const nk_fetch_request *rq);
const struct nk_proxy *fetch_route(const nk_fetch *f, const nk_url *u,
                                   char key[KEY_LEN]);
int proxy_forwards(const struct nk_proxy *px, const nk_url *u);

/* result.c: hop records */
void hop_clear(nk_fetch_hop *h);
nk_fetch_hop *hop_add(nk_fetch_result *res, const nk_url *u,
                      const char *method, char *errmsg);
void hop_set_tls(nk_fetch_hop *h, const struct tls_facts *t);
void fill_addrs(nk_fetch_hop *h, nk_conn *c);
nk_err keep_head(nk_fetch_hop *h, const char *buf,
                 const struct nk_http_response *r, char *errmsg);

/* source.c: the request body's source */
void src_init(struct src *sr, const nk_fetch_body *b);
int src_restartable(const struct src *sr);
nk_err src_rewind(struct src *sr, const char *why, char *errmsg);
nk_err src_read(struct src *sr, char *buf, size_t cap, size_t *n, int *wait,
                char *errmsg);

/* cookies.c: the jar's glue */
char *cookie_line(const struct step *s, int *oom);
void take_cookies(const nk_fetch_request *rq, const nk_url *u,
                  const nk_fetch_hop *h);

/* request.c: the request head, and the credentials in it */
nk_err auth_prepare(struct step *s, char *errmsg);
nk_err proxy_authz(struct nk_auth *pa, const nk_fetch_callbacks *cb,
                   const struct nk_proxy *px, const char *method,
                   const char *uri, char **value, char *errmsg);
void auth_done(struct step *s);
nk_err build_request(struct step *s, const struct nk_proxy *px,
                     const struct up *up, char **head, size_t *headlen,
                     char *errmsg);

/* pipeline.c: the queue of requests sent ahead */
void queue_clear(nk_fetch *f);
int queued_is(const nk_fetch *f, size_t i, const char *key, const char *req,
              size_t reqlen);
nk_err send_request(nk_fetch *f, struct step *s, struct pooled *pc,
                    const char *key, const char *req, size_t reqlen,
                    int sent, char *errmsg);

/* pool.c: connections kept, reused, released */
void pool_drop(struct pooled *p);
struct pooled pool_take(nk_fetch *f, const char *key, const char *req,
                        size_t reqlen, int check, const nk_fetch_callbacks *cb,
                        int *sent);
void pool_put(nk_fetch *f, struct pooled *c);
/* The fetcher whose pool and TLS contexts f uses. */
static inline nk_fetch *
fetch_home(nk_fetch *f)
{
	return f->home ? f->home : f;
}
/* A new HTTP/2 connection goes in the pool at once, lent to its first
 * exchange, so other tasks' exchanges share it. */
void pool_lend(nk_fetch *f, struct pooled *pc);
/* An exchange is done with a connection it borrowed: the pool drops it
 * when it is no longer usable (ok = 0, or its session says so) and no
 * other exchange uses it. */
void pool_return(nk_fetch *f, struct pooled *pc, int ok);
/* Before opening a connection to key that could be shared: waits while
 * another task opens one to the same place (until the deadline), and
 * says so with a struct opening on the caller's stack, which
 * pool_opened ends. Returns 1 when it waited (take from the pool again). */
int pool_opening(nk_fetch *f, const char *key, struct opening *op,
                 nk_time deadline);
void pool_opened(nk_fetch *f, struct opening *op);
void conn_lost(nk_fetch *f, struct pooled *pc, const struct step *s,
               int mine);

/* response.c: reading response heads */
nk_err read_or_flush(const nk_fetch_callbacks *cb, nk_conn *c, void *buf,
                     size_t len, nk_time deadline, size_t *n, int *cb_failed,
                     char *errmsg);
nk_err read_head(nk_fetch *f, const nk_fetch_callbacks *cb, nk_conn *c,
                 size_t *len, struct nk_http_response *r, nk_time deadline,
                 nk_fetch_hop *h, int *got, char *errmsg);
nk_err pass_interim(nk_fetch *f, const struct step *s, nk_fetch_hop *h,
                    const struct nk_http_response *r, size_t *len,
                    char *errmsg);

/* connect.c: a new connection */
nk_err open_conn(nk_fetch *f, struct step *s, const struct nk_proxy *px,
                 nk_fetch_hop *h, struct pooled *pc, char *errmsg);

/* upload.c: the request body on one hop */
int up_inline(const struct up *u);
nk_err up_send(nk_fetch *f, const struct step *s, struct pooled *pc,
               nk_fetch_hop *h, struct up *u, size_t *len, char *errmsg);
nk_err up_plan(const struct step *s, struct up *u, char *errmsg);

/* retry.c: what is worth another try */
int retry_status(int status);
int retry_transient(nk_err e, const nk_fetch_result *res,
                    const nk_fetch_request *rq);
int retry_ready(struct retry *rt, const nk_fetch_callbacks *cb,
                nk_fetch_result *res);

/* decide.c: the one decision after the final head */
enum after_head decide(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                       struct exchange *x, nk_err *err, char *errmsg);

/* body.c: the response body */
nk_err body_pump(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                 struct exchange *x, enum after_head act, char *errmsg);

/* exchange.c: one request and its response on one connection */
nk_err fetch_exchange(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                      char *errmsg);

/* h2x.c: an exchange over HTTP/2 (h2_int.h says how the session is
 * driven). h2x_new gives a new connection its session; h2x_send sends the
 * request and reads the final head (as exchange_send and read_head do for
 * 1.1), h2x_read the body data (as the connection's reads), h2x_done
 * ends the stream and says whether the connection may be kept,
 * h2x_idle_ok checks a pooled one. h2x is below pool.c, which frees and
 * checks sessions, and above the leaves (response.c, target.c). */
nk_err h2x_new(nk_fetch *f, struct pooled *pc, char *errmsg);
void h2x_free(struct h2conn *hc);
nk_err h2x_send(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                struct exchange *x, char *errmsg);
nk_err h2x_read(nk_fetch *f, struct step *s, nk_fetch_hop *h,
                struct exchange *x, size_t cap, size_t *n, char *errmsg);
int h2x_done(const struct step *s, struct exchange *x);
int h2x_idle_ok(struct pooled *p);
int h2x_refused(const struct exchange *x);
size_t h2x_trailers(const struct exchange *x, const char **p);
int h2x_users(const struct h2conn *hc);
int h2x_usable(const struct h2conn *hc);

/* redirect.c: one try, its redirects followed */
nk_err fetch_try(nk_fetch *f, const nk_fetch_request *rq,
                 const nk_fetch_callbacks *cb, nk_fetch_result *res,
                 struct retry *retry, uint64_t *delivered, struct src *src,
                 struct nk_auth *auth, char *errmsg);

#endif
