/* libnk fetch: get a URL over HTTP/1.1 or HTTPS, the way a curl user
 * expects: connection reuse across requests, redirects, HTTP proxies (and
 * CONNECT tunnels for https), retries with backoff, resume with Range,
 * content decoding, size limits, and a record of every step for -v and
 * -w '%{json}'.
 *
 * It joins the other modules: nk/url.h parses, nk/net.h resolves and
 * connects, nk/tls.h secures, nk/http.h frames. Like them it never prints,
 * never exits and never reads the environment: the caller passes proxies,
 * CA paths and the like in nk_fetch_config, and receives the response head
 * and body through callbacks.
 *
 * A fetcher in a few lines (error handling shortened):
 *
 *	static nk_err out(void *ctx, const char *p, size_t n, char *errmsg)
 *	{ return fwrite(p, 1, n, stdout) == n ? NK_OK : NK_ERR_WRITE_ERROR; }
 *
 *	nk_fetch *f;
 *	nk_fetch_config cfg = { 0 };
 *	nk_fetch_request rq = { .url = "https://example.com/", .follow = 1 };
 *	nk_fetch_callbacks cb = { .body = out };
 *	nk_fetch_result res;
 *	char err[NK_ERR_MSG_LEN];
 *	nk_fetch_new(&cfg, &f, err);
 *	nk_err e = nk_fetch_run(f, &rq, &cb, &res, err);
 *	nk_fetch_result_clear(&res);
 *	nk_fetch_free(f);
 *
 * Several nk_fetch_run calls on one nk_fetch share connections: a request
 * to the same scheme, host and port (and proxy) reuses the idle
 * connection the previous one left open, and TLS sessions are resumed. A
 * connection the server closed while idle is replaced transparently.
 *
 * An nk_fetch is used by one thread at a time. Several transfers at once
 * in one thread: run each in a task (nk/task.h) with a fetcher of its own
 * made by nk_fetch_new_shared, so that they share connections. */
#ifndef NK_FETCH_H
#define NK_FETCH_H

#include <sys/types.h>

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"
#include "nk/net.h"
#include "nk/tls.h"
#include "nk/http.h"
#include "nk/cookie.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_fetch nk_fetch;

#define NK_FETCH_REDIRS_NONE (-2)   /* nk_fetch_request.max_redirs */

/* Settings shared by every request of a fetcher. Zero-initialise, then set
 * what the user gave. Strings and arrays are borrowed: they must outlive
 * the nk_fetch. */
typedef struct nk_fetch_config {
	nk_netopts net;            /* -4/-6, --resolve, --connect-to,
	                            * --connect-timeout (which also bounds the
	                            * TLS handshake and a proxy's CONNECT) */
	nk_tls_config tls;         /* for https; the TLS context is made on the
	                            * first https request, so a fetcher that
	                            * only speaks http never initialises
	                            * OpenSSL. ALPN defaults to what
	                            * http_version offers */
	const char *http_proxy;    /* proxy for http:// URLs: "[SCHEME://]
	                            * [user:password@]host[:port]" (port 1080
	                            * by default, as curl; SCHEME http or a
	                            * SOCKS one, below); NULL or "": none */
	const char *https_proxy;   /* proxy for https:// URLs (a CONNECT
	                            * tunnel); NULL or "": none */
	const char *no_proxy;      /* curl's NO_PROXY list: "*", or names and
	                            * addresses separated by commas; a name
	                            * matches itself and its subdomains, an
	                            * address may have a /prefix length */
	size_t bufsize;            /* the most the read buffer grows to; 0:
	                            * 512 KiB for a head, 128 KiB for a body's
	                            * reads. It starts at 16 KiB and grows
	                            * when a head needs it (up to 16 KiB more
	                            * than max_head, whatever bufsize says) or
	                            * a body read fills it */
	size_t max_line;           /* one response header line; 0: 100 KiB */
	size_t max_head;           /* a whole response head; 0: 300 KiB */
	/* The proxies above may also be SOCKS proxies, as curl names them:
	 * socks4://, socks4a://, socks5:// (names resolved here) and
	 * socks5h:// (the proxy resolves them); a SOCKS proxy carries the
	 * connection (TLS to the host inside it for https) and sees no
	 * HTTP. */
	const char *proxy_userpass;/* --proxy-user "user:password" (%XX
	                            * decoded, as curl), for a proxy URL
	                            * without credentials: Basic for an HTTP
	                            * proxy, RFC 1929 for SOCKS5 */
	unsigned proxy_auth;       /* NK_FETCH_AUTH_BASIC (also 0) or _DIGEST
	                            * or _ANY (Bearer never goes to a proxy):
	                            * --proxy-basic, --proxy-digest,
	                            * --proxy-anyauth; a 407 is answered */
	int proxytunnel;           /* -p: CONNECT through an HTTP proxy for
	                            * http:// URLs too */
	const char *const *proxy_headers; /* --proxy-header lines for the
	                            * HTTP proxy alone: in CONNECT requests,
	                            * and after the -H lines in requests the
	                            * proxy forwards. "Name:" removes one of
	                            * CONNECT's own */
	size_t nproxy_headers;
	nk_tls_config proxy_tls;   /* for an https:// proxy (TLS to the
	                            * proxy; a second session inside it for
	                            * https URLs): --proxy-cacert ...
	                            * --proxy-pinnedpubkey, as tls is for the
	                            * server. ALPN defaults to "http/1.1" */
	int http_version;          /* NK_FETCH_HTTP_* below; 0: HTTP/2 over
	                            * TLS when the server picks it in ALPN
	                            * ("h2,http/1.1" offered, as curl), HTTP/1.1
	                            * in the clear */
	int immediate;             /* for fetchers sharing connections
	                            * (nk_fetch_new_shared): a transfer opens
	                            * a connection of its own rather than wait
	                            * for the one another is opening (curl's
	                            * --parallel-immediate) */
} nk_fetch_config;

/* nk_fetch_config.http_version. HTTP/2 goes through libnghttp2, on a
 * connection that later requests to the same place reuse, and that
 * transfers running at once as tasks share (nk_fetch_new_shared), each
 * a stream of its own. tls.alpn, when set, wins over what these offer. */
enum {
	NK_FETCH_HTTP_DEFAULT = 0, /* https: offer h2 and http/1.1 */
	NK_FETCH_HTTP_1_1,         /* --http1.1, --http1.0: offer http/1.1
	                            * only, never speak HTTP/2 */
	NK_FETCH_HTTP_2,           /* --http2: as the default (http:// URLs
	                            * stay HTTP/1.1: no Upgrade: h2c) */
	NK_FETCH_HTTP_2_PRIOR,     /* --http2-prior-knowledge: HTTP/2 from
	                            * the first byte on http:// too (h2c) */
};

/* Makes a fetcher. Checks the network overrides and proxy URLs here, so a
 * bad option fails before any traffic. Errors: NK_ERR_FAILED_INIT (bad
 * --resolve/--connect-to entry), NK_ERR_URL_MALFORMAT (a proxy URL that
 * does not parse), NK_ERR_OUT_OF_MEMORY. Free with nk_fetch_free. Does not
 * block. */
NK_API nk_err nk_fetch_new(const nk_fetch_config *cfg, nk_fetch **out,
                           char *errmsg);

/* Closes every connection and frees; NULL is a no-op. A fetcher others
 * share is freed after them. */
NK_API void nk_fetch_free(nk_fetch *f);

/* Makes a fetcher with base's configuration that uses base's connections,
 * TLS contexts (and so its sessions) and connection numbers, with buffers
 * of its own: for transfers that run at once as tasks of one task set
 * (nk/task.h), one such fetcher a task. Connections are then shared
 * between them: a kept HTTP/1.1 one goes to whichever transfer comes
 * next, and an HTTP/2 one carries the requests of several at the same
 * time, each its own stream (tasks that start together wait for the
 * first one's connection rather than open one each when HTTP/2 is
 * offered). base (or the fetcher it shares) must outlive it, and all are
 * used on the one thread of the task set. The pool holds 4 more idle
 * connections for each sharing fetcher, up to 64. Errors as
 * nk_fetch_new. */
NK_API nk_err nk_fetch_new_shared(nk_fetch *base, nk_fetch **out,
                                  char *errmsg);

/* A request body. Exactly one source is set:
 *  - data/len: bytes in memory, owned by the caller until the transfer ends;
 *  - fd >= 0: read from this descriptor (libnk never closes it);
 *  - read: a callback that fills buf and returns the bytes put there,
 *    0 at the end, or -1 with errmsg set; rewind (may be NULL) starts the
 *    body again from its first byte (0, or an nk_err with errmsg).
 * size: for fd and read, the exact length, or -1 when unknown (sent
 * chunked over HTTP/1.1). content_type: the Content-Type line's value
 * sent unless the user's -H gives one (NULL: none).
 *
 * The whole struct and what it points to are borrowed for the duration of
 * nk_fetch_run. A body that a redirect (307, 308) or a retry must send
 * again is started over: memory always can be; a descriptor is rewound
 * with lseek(2) to the offset it had when the run began, which fails for a
 * pipe or a terminal; a callback through rewind. A body that cannot be
 * started over ends such a redirect with NK_ERR_SEND_FAIL_REWIND (65) and
 * is never retried. */
typedef struct nk_fetch_body {
	const char *data;
	size_t len;
	int fd;                     /* -1 when not a descriptor */
	int64_t size;
	ssize_t (*read)(void *ctx, char *buf, size_t len, char *errmsg);
	nk_err (*rewind)(void *ctx, char *errmsg);
	void *ctx;
	const char *content_type;
	int expect_always;          /* "Expect: 100-continue" for any body
	                             * but an empty one, as curl sends -T;
	                             * else only for one over 1 MiB or of
	                             * unknown size, as curl sends -d and -F */
} nk_fetch_body;

/* One URL to get. Zero-initialise, then set what you need; strings are
 * borrowed for the duration of nk_fetch_run. */
/* Authentication schemes for nk_fetch_request.auth. */
#define NK_FETCH_AUTH_BASIC  0x01u
#define NK_FETCH_AUTH_DIGEST 0x02u
#define NK_FETCH_AUTH_BEARER 0x04u
#define NK_FETCH_AUTH_ANY    0x07u   /* --anyauth: whichever the server
                                        offers (Bearer, Digest, Basic) */

typedef struct nk_fetch_request {
	const char *url;           /* required */
	const char *default_scheme;/* for a URL given without one
	                            * ("example.com/x"): "http" (NULL) or
	                            * "https" */
	const char *method;        /* NULL: GET. "HEAD" reads no body */
	int http10;                /* send HTTP/1.0 requests */
	const char *const *headers;/* curl -H lines: "Name: value" adds or
	                            * replaces, "Name:" removes a default,
	                            * "Name;" sends an empty value */
	size_t nheaders;
	const char *user_agent;    /* NULL: "nk/VERSION" */
	const char *userpass;      /* -u "user:password" (sent as auth
	                            * allows); when NULL, credentials in
	                            * the URL are used */
	const char *netrc_file;    /* --netrc: credentials for each request's
	                            * host from this file (nk/netrc.h), over
	                            * the URL's; never those of another host */
	int netrc_optional;        /* --netrc-optional: a URL's password wins */
	unsigned auth;             /* NK_FETCH_AUTH_* the credentials may
	                            * go as: --basic, --digest, --anyauth,
	                            * --oauth2-bearer; 0: Basic. One scheme
	                            * goes up front; Digest, or several, wait
	                            * for the server's 401 and answer it */
	const char *bearer;        /* --oauth2-bearer TOKEN ("Bearer TOKEN"
	                            * when auth has NK_FETCH_AUTH_BEARER), or
	                            * NULL; like userpass, never sent to
	                            * another host */
	const char *referer;       /* Referer for the first request */
	int auto_referer;          /* -L: send the previous URL as Referer */
	int follow;                /* -L: follow 3xx Location */
	long max_redirs;           /* with follow: the most redirects taken
	                            * (one more is NK_ERR_TOO_MANY_REDIRECTS);
	                            * 0: the default, 50; NK_FETCH_REDIRS_NONE
	                            * for none; -1: unlimited */
	int compressed;            /* ask for deflate, gzip, br, zstd; decode them */
	int64_t resume_from;       /* -C: > 0 asks for bytes=N- (the body is
	                            * what follows N); 0: from the start; < 0
	                            * no Range */
	int64_t max_filesize;      /* > 0: NK_ERR_FILESIZE_EXCEEDED when the
	                            * announced or received body passes it */
	int fail;                  /* -f: a final status >= 400 ends the
	                            * transfer before its body with
	                            * NK_ERR_HTTP_RETURNED_ERROR */
	int64_t max_time_ms;       /* -m: each try's deadline; 0: none */
	int retry;                 /* --retry: extra tries after a transient
	                            * failure (timeouts, resolve failures,
	                            * connection lost before a response, and
	                            * HTTP 408, 429, 500, 502, 503, 504) */
	int64_t retry_delay_ms;    /* fixed wait between tries; 0: back off
	                            * 1 s, 2 s, 4 s ... up to 10 min, or what
	                            * Retry-After says */
	int64_t retry_max_time_ms; /* no try starts after this; 0: no limit */
	int retry_connrefused;     /* also retry "Connection refused" */
	int retry_all_errors;      /* retry whatever the error */
	const nk_fetch_body *body; /* sent with the request; NULL: none. The
	                            * method stays what `method` says (the
	                            * caller picks POST or PUT) */
	const char *accept;        /* Accept value; NULL: any type, as curl */
	int post301, post302, post303; /* keep the method and body on this
	                            * redirect; else 301 and 302 turn POST
	                            * into GET, 303 turns all but HEAD into
	                            * GET, as curl does */
	int64_t expect100_timeout_ms; /* how long to wait for "100 Continue"
	                            * after sending "Expect: 100-continue" (for
	                            * bodies over 1 MiB or of unknown size)
	                            * before sending the body anyway; 0: 1 s */
	nk_cookie_jar *cookies;    /* -b FILE, -c: the jar that gives each
	                            * request (redirects too) its cookies and
	                            * takes every response's Set-Cookie;
	                            * NULL: no cookie engine */
	const char *cookie;        /* -b "a=1; b=2": sent after the jar's
	                            * cookies on every request, as curl */
	const char *range;         /* -r "0-499": Range: bytes=0-499 (over
	                            * resume_from's); NULL: none */
	int time_cond;             /* -z: NK_FETCH_IF_MODIFIED ... below; 0:
	                            * none. A 2xx reply with a body whose
	                            * Last-Modified fails the condition (the
	                            * server ignored it) ends as a 304 with
	                            * no body, as curl does, unless a range
	                            * was asked for */
	int64_t time_value;        /* the condition's date (epoch seconds) */
	int64_t limit_rate;        /* > 0: receive the body, and send the
	                            * request body, at most this many bytes a
	                            * second each, in small steady steps */
} nk_fetch_request;

/* nk_fetch_request.time_cond: the header its date goes in. */
enum {
	NK_FETCH_IF_MODIFIED = 1,  /* If-Modified-Since */
	NK_FETCH_IF_UNMODIFIED,    /* If-Unmodified-Since */
	NK_FETCH_LAST_MODIFIED,    /* Last-Modified (curl's -z =DATE) */
};

/* What happened on one request of a transfer: a redirect hop, or the final
 * response. Times are absolute (nk/time.h); 0 for steps not reached. */
typedef struct nk_fetch_hop {
	char *url;                 /* the URL requested (owned) */
	char method[16];           /* truncated for display if longer */
	int status;                /* 0 when no response arrived */
	int minor_version;         /* HTTP/1.x of the response */
	nk_err err;                /* what ended this hop, NK_OK if complete */
	int reused;                /* an existing connection carried it */
	int proxied;               /* went through a proxy (or its tunnel) */
	int connection;            /* number of the connection, from 0 */
	char remote_ip[64];        /* the server's (or proxy's) address */
	int remote_port;
	char local_ip[64];
	int local_port;
	nk_time start;             /* the hop began */
	nk_time namelookup;        /* the name was resolved */
	nk_time connect;           /* TCP connected (to the proxy, if any) */
	nk_time appconnect;        /* TLS handshake done (https only) */
	nk_time pretransfer;       /* about to send the request */
	nk_time starttransfer;     /* the first response byte arrived */
	nk_time end;               /* the hop ended */
	nk_connect_info net;       /* every address tried, and why it failed
	                            * (valid when !reused) */
	int tls;                   /* TLS was used; the fields below are set */
	char tls_version[16];      /* "TLSv1.3" */
	char tls_cipher[80];
	int tls_verify_ok;
	long tls_verify_code;
	int tls_resumed;
	long proxy_tls_verify_code;/* an HTTPS proxy's X509_V_ERR_* (0:
	                            * verified, or no HTTPS proxy) */
	uint64_t request_bytes;    /* request head bytes sent */
	uint64_t upload_bytes;     /* request body bytes sent */
	uint64_t header_bytes;     /* response head bytes, interim included */
	uint64_t body_bytes;       /* body bytes as framed on the wire */
	int64_t content_length;    /* Content-Length of the final response on
	                            * this hop, -1 when not announced */
	char *head;                /* the response head as received (owned,
	                            * NUL-terminated, header_bytes may count
	                            * more when 1xx came first) */
	size_t head_len;
	struct nk_http_header *headers; /* fields of head (views into it) */
	size_t num_headers;
	char *location;            /* the resolved redirect target, or NULL */
	int http2;                 /* the response came over HTTP/2 (its
	                            * head is then "HTTP/2 200 \r\n" and the
	                            * fields as received, names lower case;
	                            * minor_version is 1) */
} nk_fetch_hop;

/* The outcome of nk_fetch_run. Owned by the caller; release with
 * nk_fetch_result_clear. */
typedef struct nk_fetch_result {
	nk_err err;                /* same as the return value */
	char errmsg[NK_ERR_MSG_LEN]; /* "" on success */
	nk_fetch_hop *hops;        /* the requests of the last try, in order */
	size_t nhops;
	int retries;               /* tries made after the first */
	int num_connects;          /* new connections made (last try) */
	uint64_t size_download;    /* body bytes of the response(s) given to
	                            * the caller, as received: before any
	                            * content decoding (curl's meaning) */
	uint64_t size_header;      /* response head bytes, all hops */
	uint64_t size_request;     /* request head bytes sent, all hops */
	uint64_t size_upload;      /* request body bytes sent, all hops */
	nk_time start, end;        /* the whole transfer, retries included */
	int already_complete;      /* resume: the server says the file is
	                            * already whole (416, or 200 with a length
	                            * equal to resume_from): no body */
} nk_fetch_result;

/* Frees what a result owns and zeroes it. NULL-safe. */
NK_API void nk_fetch_result_clear(nk_fetch_result *res);

/* The final hop (the last one), or NULL when there is none. */
NK_API const nk_fetch_hop *nk_fetch_result_final(const nk_fetch_result *res);

/* The value of header `name` (case-insensitive) in a hop's final response,
 * several fields joined with ", " as RFC 9110 §5.3 allows, in buf (at most
 * len bytes with the NUL, truncated). Returns 1 if there was such a
 * header, else 0 (buf is then ""). */
NK_API int nk_fetch_hop_header(const nk_fetch_hop *hop, const char *name,
                               char *buf, size_t len);

/* What a trace callback receives. */
typedef enum nk_fetch_trace {
	NK_FETCH_INFO,             /* a step, in words, one line without a
	                            * newline: "Connected to nk.test
	                            * (127.0.0.1) port 80" */
	NK_FETCH_HEAD_OUT,         /* a request head, as sent */
	NK_FETCH_HEAD_IN,          /* a response head (interim ones too), as
	                            * received */
	NK_FETCH_TLS,              /* a handshake ended: obj is the
	                            * nk_tls_info (valid during the call),
	                            * data the server name */
	NK_FETCH_WARNING,          /* something the user should hear about
	                            * even without -v, one line: "Transient
	                            * problem: ... Will retry in 2 seconds" */
	NK_FETCH_PROXY_TLS,        /* the handshake with an HTTPS proxy
	                            * ended: as NK_FETCH_TLS, data the
	                            * proxy's name */
} nk_fetch_trace;

/* The caller's side of a transfer. Every callback may be NULL. The data
 * pointers are only valid during the call. */
typedef struct nk_fetch_callbacks {
	void *ctx;                 /* passed to each callback */
	/* For -v (and NK_FETCH_WARNING for everyone). Must not fail. */
	void (*trace)(void *ctx, nk_fetch_trace what, const char *data,
	              size_t len, const void *obj);
	/* A response head arrived (interim 1xx, redirects and the final one,
	 * in order; `interim` says which is a 1xx), after its framing was
	 * checked: hop->content_length is known. For -i and -D. An error
	 * ends the transfer with it. */
	nk_err (*head)(void *ctx, const nk_fetch_hop *hop, const char *head,
	               size_t len, int interim, char *errmsg);
	/* Body bytes of the final response (decoded with compressed), as they
	 * arrive, in order; data is NULL for bytes moved to body_fd. Never
	 * called with len 0. An error ends the
	 * transfer with it (NK_ERR_WRITE_ERROR, say). */
	nk_err (*body)(void *ctx, const char *data, size_t len,
	               char *errmsg);
	/* Before a retry: the caller discards the body it has (returning
	 * NK_OK with *resume_from unchanged) or keeps it and sets
	 * *resume_from to its length; an error cancels the retry and ends
	 * the transfer with the previous error. When NULL, a try that has
	 * delivered body bytes is not retried. */
	nk_err (*restart)(void *ctx, int64_t *resume_from, char *errmsg);
	/* A descriptor the final body may be moved to inside the kernel
	 * (splice(2)) instead of passing through body(), or -1. Asked for a
	 * body that needs no decoding and arrives over plain TCP; *name names
	 * the descriptor in error messages. What is moved there is reported
	 * to body() with data NULL and its length, so the caller can count
	 * it; body() may fail then as ever. The descriptor stays the
	 * caller's. */
	int (*body_fd)(void *ctx, const char **name);
	/* Write out whatever you hold back, now: called before the transfer
	 * waits for the server with nothing more at hand, and before body
	 * bytes are moved to body_fd. A caller that gathers output (the
	 * small bodies of pipelined responses, say) thus never delays it
	 * past a wait, nor lets it fall behind what body_fd receives. An
	 * error ends the transfer with it. */
	nk_err (*flush)(void *ctx, char *errmsg);
	/* The trailer lines of the final response's chunked body, as
	 * received (without the empty line that ends them), once the body is
	 * done; not called when there are none. For -i and -D, which show
	 * them after the body. An error ends the transfer with it. */
	nk_err (*trailers)(void *ctx, const char *lines, size_t len,
	                   char *errmsg);
	/* Request body bytes sent so far on this request, and the body's
	 * size (-1 when unknown), after each write: for a progress meter.
	 * Must not fail. */
	void (*sent)(void *ctx, uint64_t bytes, int64_t total);
	/* Body bytes as they go on and come off the wire, after TLS: out = 1
	 * for a request body as written (chunk framing included), 0 for a
	 * response body as read, before its framing and codings are undone
	 * (every hop's, redirects' too). The heads come to trace() as
	 * NK_FETCH_HEAD_OUT and NK_FETCH_HEAD_IN. For --trace. When set,
	 * no body moves inside the kernel (no splice, no sendfile): every
	 * byte passes here. Must not fail. */
	void (*wire)(void *ctx, int out, const char *data, size_t len);
	/* Kinds trace() is not called for, as bits (1u << kind): lines
	 * nobody shows are then not even formatted (a tool without -v skips
	 * NK_FETCH_INFO, say). 0, the default, skips none. */
	unsigned trace_skip;
} nk_fetch_callbacks;

/* HTTP/1.1 pipelining: rqs[0..n) are the requests the caller will run
 * next, in that order (with nk_fetch_run; other runs may come between).
 * When a run sends its request, the queued requests that follow it and go
 * to the same place on the same connection are sent at once, up to 32
 * waiting at a time, and their runs read the responses in order. Only GET
 * and HEAD go ahead (HTTP/1.0 requests never): asking twice is harmless,
 * which matters because if the server closes the connection with requests
 * unanswered, each is sent again on its own run, one at a time, and no
 * more are pipelined by this fetcher. A run whose request differs from
 * what was queued (after a redirect, say) simply does not use the
 * pipelined connection. The requests are copied (heads are built here);
 * n = 0 ends pipelining. Errors: NK_ERR_OUT_OF_MEMORY. Does not block. */
NK_API nk_err nk_fetch_pipeline(nk_fetch *f, const nk_fetch_request *rqs,
                                size_t n, char *errmsg);

/* Fetches one URL: connects (or reuses a connection), sends the request,
 * reads the response, follows redirects and retries as rq says, and hands
 * the head(s) and the body to cb as they arrive, in constant memory.
 * Blocks until the transfer ends: each try (its redirects included) is
 * bounded by max_time_ms, and no retry starts after retry_max_time_ms.
 *
 * res (required) is filled also on failure. Returns the transfer's error,
 * numbered as curl's exit codes: 1 (scheme other than http/https, also as
 * a redirect target), 3 (bad URL or Location), 2 (a header or method that
 * would put CR, LF or NUL on the wire), 5, 6, 7, 8 (framing the client
 * cannot trust), 18 (body shorter than announced), 22 (fail), 23 (from a
 * callback), 28, 33 (server cannot resume), 35, 47, 52, 55, 56, 60, 61,
 * 63, 90, 97 (a SOCKS proxy refused). errmsg (and res->errmsg) says
 * what failed, naming the host. */
NK_API nk_err nk_fetch_run(nk_fetch *f, const nk_fetch_request *rq,
                           const nk_fetch_callbacks *cb, nk_fetch_result *res,
                           char *errmsg);

#ifdef __cplusplus
}
#endif

#endif
