/* tls internals: the state the files of lib/tls share, and who owns it.
 *
 * The files, each a layer over the ones before it (no file needs one that
 * comes after it):
 *   errors.c     OpenSSL's error queue in words
 *   bio.c        the socket BIO (send/recv without SIGPIPE, one buffer)
 *   cache.c      the session cache of a context
 *   verify.c     what verification found, recorded and said in words
 *   info.c       the facts of a handshake, into an nk_tls_info
 *   trust.c      the trust store: CA file and directory, the late bundle
 *   chain.c      chain diagnosis: key ids, AIA, parsing, verifying anew
 *   context.c    nk_tls_ctx: OpenSSL set up for a tool's options
 *   conn_ops.c   struct tls_conn and the nk_conn operations over it
 *   handshake.c  nk_tls_start: a plain conn becomes a TLS one (or a TLS
 *                one gets a second session inside: an HTTPS proxy's)
 *   via.c        nk_tls_connect_via: TLS with an HTTPS proxy, for the net
 *                layer's tunnel
 *   probe.c      nk_tls_probe: one handshake of a chosen shape, then gone
 *   server.c     nk_tls_accept: the server's side of it
 *
 * Ownership. An nk_tls_ctx owns its SSL_CTX, the BIO method, the pins,
 * the name of the trust store's fallback file and the session cache. It
 * is counted: the caller's reference and one per tls_conn, so a context
 * its owner frees lives on while its conns do. A tls_conn is an nk_conn's
 * impl while the conn speaks TLS: it owns the SSL (and through it the
 * BIO), the receive buffer, the verification failure the callbacks
 * recorded, and under TLS inside TLS the outer session (lower: a conn of
 * its own, freed after the inner session's goodbye); the socket stays the
 * nk_conn's. OpenSSL's callbacks find the
 * tls_conn as the SSL's app data, the BIO's data, and the context as
 * ctx->ssl's app data or their own argument. ctx->lock guards the cache
 * and the fallback file's loading, which conns of other threads share.
 *
 * Errors. What can fail returns an nk_err and says why in errmsg through
 * nk_fail, in the user's words (names, ports, files), never OpenSSL's
 * alone. Whoever looks at OpenSSL's error queue clears it before
 * returning, so no stale error is read as the next call's. A conn that
 * failed is dead for good: t->dead and t->dead_msg answer every later
 * read and write; t->fatal (an SSL_ERROR_SSL or _SYSCALL, an unclean EOF)
 * forbids SSL_shutdown, which OpenSSL does not allow after one. The
 * callbacks follow OpenSSL's conventions (1 for yes or success). */
#ifndef NK_TLS_INT_H
#define NK_TLS_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "nk/tls.h"
#include "net/conn_int.h"

/* Sessions kept per context: enough for a tool's redirects and reuse
 * across a handful of hosts; the oldest entry makes room. */
#define NK_TLS_CACHE_SLOTS 32

/* "name:port", the cache key: the name the certificate is checked
 * against (at most 255 bytes) and the far end's port. */
#define NK_TLS_KEY_LEN 300

struct nk_tls_cache_entry {
	char key[NK_TLS_KEY_LEN];
	SSL_SESSION *sess;
	uint64_t age;                /* when stored, for eviction */
};

struct nk_tls_ctx {
	SSL_CTX *ssl;
	BIO_METHOD *bio_meth;        /* send()/recv() without SIGPIPE */
	int insecure;
	int server;                  /* made for nk_tls_accept */
	int ocsp;
	int scts;                    /* ask for and collect SCTs */
	int no_cache;
	char *fallback;              /* the trust store's fallback file */
	int fallback_read;           /* it is in the store (under lock) */
	unsigned char (*pins)[32];   /* SHA-256 of acceptable SPKIs */
	size_t npins;
	int refs;                    /* the caller's, plus one per conn */
	pthread_mutex_t lock;        /* guards the cache */
	struct nk_tls_cache_entry cache[NK_TLS_CACHE_SLOTS];
	uint64_t clock;
};

/* A TLS connection: the conn's impl while it speaks TLS. */
struct tls_conn {
	SSL *ssl;
	nk_tls_ctx *ctx;
	int fd;
	char key[NK_TLS_KEY_LEN];    /* session cache key */
	unsigned char *rbuf;         /* the BIO's buffer, or NULL before a read */
	size_t roff, rlen;           /* rbuf[roff, rlen) is not read yet */
	int bio_eof;                 /* recv() returned 0 */
	int eof;                     /* EOF seen */
	int unclean;                 /* ... without close_notify */
	nk_err dead;                 /* sticky: a fatal error happened */
	int fatal;                   /* OpenSSL said SSL_ERROR_SSL or _SYSCALL
	                              * (an unclean EOF too): it forbids
	                              * SSL_shutdown from then on */
	char dead_msg[NK_ERR_MSG_LEN];
	int told;                    /* a read returned the EOF or error */
	int close_sent;
	/* The first verification failure, from the verify callback. */
	long verr;
	int vdepth;
	X509 *vcert;                 /* the certificate it is about */
	STACK_OF(X509) *vchain;      /* the chain built when it happened */
	STACK_OF(X509) *sent;        /* what the server sent, as seen there */
	int cert_req;                /* the server asked for our certificate */
	/* TLS inside TLS (an HTTPS proxy's tunnel): the outer session, a
	 * conn of its own that this one owns, whose ops and impl the conn
	 * had before nk_tls_start; the BIO reads and writes through it
	 * rather than the socket. NULL over plain TCP. */
	nk_conn *lower;
};

/* Bytes received from the socket (or the outer session) that OpenSSL
 * has not taken yet. */
static inline size_t
nk_tls_bio_buffered(const struct tls_conn *t)
{
	/* Under TLS inside TLS, what the outer session has decrypted is
	 * as good as received: poll() on the socket would not see it. */
	return t->rlen - t->roff +
	       (t->lower ? t->lower->ops->pending(t->lower) : 0);
}

/* ---- errors.c ---- */

/* Is OpenSSL linked into the program (the tools, STATIC_DEPS=1) rather
 * than a shared library others may use too? Then libnk starts it without
 * its error texts and its legacy table of cipher names, which wait until
 * needed: every use of the texts (ERR_reason_error_string,
 * ERR_error_string_n) comes after nk_tls_texts(), every PEM key load
 * after nk_tls_pem_ciphers() (pemkey.c). */
int nk_tls_ossl_linked_in(void);
void nk_tls_texts(void);

/* Words for the last OpenSSL error, or `fallback`; the queue is left as
 * it is. */
const char *nk_tls_ossl_reason(const char *fallback);

/* Is the last OpenSSL error an EOF without close_notify? */
int nk_tls_unexpected_eof(void);

/* ---- pemkey.c ---- */

/* The ciphers the encrypted blocks of the PEM file at path name
 * (DEK-Info), made known under their names; nothing when OpenSSL's
 * start-up knew them all, or the file cannot be read (its load says). */
void nk_tls_pem_ciphers(const char *path);

/* ---- bio.c ---- */

/* The socket BIO's method, its functions set; NULL out of memory. */
BIO_METHOD *nk_tls_bio_method_new(void);

/* ---- cache.c ---- */

/* OpenSSL's new-session callback: keeps sess under the conn's key. */
int nk_tls_cache_store(SSL *ssl, SSL_SESSION *sess);

/* Puts a cached session for t->key on t's SSL, if there is one. */
void nk_tls_cache_resume(nk_tls_ctx *ctx, struct tls_conn *t);

/* Forgets the session cached for t->key. */
void nk_tls_cache_drop(nk_tls_ctx *ctx, struct tls_conn *t);

/* Frees every cached session (the context is going). */
void nk_tls_cache_clear(nk_tls_ctx *ctx);

/* ---- verify.c ---- */

/* OpenSSL's verify callback: records the first failure in the tls_conn. */
int nk_tls_verify_cb(int ok, X509_STORE_CTX *xs);

/* Forgets the recorded failure, before verifying again. */
void nk_tls_verify_forget(struct tls_conn *t);

/* The plain-words reason for a failure with `code` at `depth` about
 * `cert` (which may be NULL), into out. */
void nk_tls_verify_reason(long code, int depth, X509 *cert, char *out,
                          size_t len);

/* ---- info.c ---- */

/* The caller's info, or spare when it gave none, emptied for a new
 * handshake (no verification result yet). */
nk_tls_info *nk_tls_info_begin(nk_tls_info *info, nk_tls_info *spare);

/* OpenSSL's certificate callback, which says the server asked for ours. */
int nk_tls_cert_cb(SSL *ssl, void *arg);

/* What verification found, into info (as far as it is known); with
 * chains, the chains too. */
void nk_tls_info_verify(struct tls_conn *t, int handshake_done, int chains,
                        nk_tls_info *info);

/* Whether the server asked for a client certificate, and from whom. */
void nk_tls_info_cert_request(struct tls_conn *t, nk_tls_info *info);

/* Version, cipher, group, ALPN and resumption of a finished handshake. */
void nk_tls_info_session(struct tls_conn *t, nk_tls_info *info);

/* The facts of a finished handshake: session, verification, request. */
void nk_tls_info_collect(struct tls_conn *t, int chains, nk_tls_info *info);

/* An OCSP or CRL time as "2024-01-01 00:00:00 UTC"; "" for NULL or a
 * time OpenSSL cannot read. */
void nk_tls_time_str(const ASN1_TIME *t, char *out, size_t len);

/* The stapled OCSP response into info; a revoked leaf is then a failed
 * verification. */
void nk_tls_info_staple(nk_tls_ctx *ctx, struct tls_conn *t,
                        nk_tls_info *info);

/* ---- sct.c ---- */

/* Asks for SCTs in the ClientHello (before the handshake). */
void nk_tls_sct_request(struct tls_conn *t);
/* Every SCT the server showed into info->scts (after the handshake). */
void nk_tls_sct_collect(struct tls_conn *t, nk_tls_info *info);

/* ---- trust.c ---- */

/* The CA file and directory of cfg (or the defaults) into ctx's store. */
nk_err nk_tls_trust_load(nk_tls_ctx *ctx, const nk_tls_config *cfg,
                         char *errmsg);
/* Puts the context's fallback file (the system bundle) in its store
 * once; 1 when it is there, 0 when there is none or it cannot be read. */
int nk_tls_trust_read_fallback(nk_tls_ctx *ctx);
/* 1 for the verification failures a store with more roots could cure. */
int nk_tls_trust_issuer_missing(long code);

/* ---- context.c ---- */

/* "h2,http/1.1" in the wire format (length-prefixed strings) into out;
 * -1 for an empty or too long name, or when cap is too small. */
int nk_tls_alpn_wire(const char *list, unsigned char *out, size_t cap,
                     size_t *outlen);

/* One more reference to ctx, for a conn. */
void nk_tls_ctx_ref(nk_tls_ctx *ctx);

/* Drops one reference; the last one frees. */
void nk_tls_ctx_unref(nk_tls_ctx *ctx);

/* ---- handshake.c ---- */

/* Runs `step` (SSL_connect or SSL_accept) on t until the handshake is
 * done, waiting on the socket until the deadline. NK_OK;
 * NK_ERR_OPERATION_TIMEDOUT; or NK_ERR_SSL_CONNECT_ERROR with OpenSSL's
 * SSL_ERROR_* in *ssl_err and errno as it was in *saved_errno, OpenSSL's
 * error queue left for the caller's message. */
nk_err nk_tls_drive(struct tls_conn *t, int (*step)(SSL *), nk_time deadline,
                    int *ssl_err, int *saved_errno);

/* ---- conn_ops.c ---- */

/* The operations of a conn that speaks TLS. */
extern const struct nk_conn_ops nk_tls_conn_ops;

/* A tls_conn over fd, its SSL and BIO made, its session cache key `key`;
 * it holds a reference to ctx. NULL out of memory. */
struct tls_conn *nk_tls_conn_new(nk_tls_ctx *ctx, int fd, const char *key);

/* Frees t with its SSL, and drops its reference to the context. */
void nk_tls_conn_free(struct tls_conn *t);

#endif
