/* tls: OpenSSL 3 under nk_conn. nk_tls_start swaps a plain conn's
 * operations for the TLS ones below (the socket stays), so every tool keeps
 * one conn type; the blocking calls with deadlines come from conn.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "nk/tls.h"
#include "net/conn_int.h"
#include "core/internal.h"
#include "tls/x509_int.h"

/* Sessions kept per context: enough for a tool's redirects and reuse
 * across a handful of hosts; the oldest entry makes room. */
#define CACHE_SLOTS 32
/* The socket BIO's receive buffer: one recv() takes what the kernel has,
 * up to this, and OpenSSL's reads of a record header and body are served
 * from it by memcpy. OpenSSL's own read-ahead would do the recv() part,
 * but OpenSSL 3.0 moves the unread rest of its buffer to the front before
 * every record (ssl3_read_n aligns the payload), which for a 256 KiB
 * buffer copied every byte 7.4 times (docs/BENCHMARKS.md). 64 KiB, four
 * records: over 1 GiB from nginx on loopback, 64, 128 and 256 KiB cost
 * the same client CPU within the noise (21000, 8400 and 7400 recv()
 * calls), and 64 KiB keeps 0.2-0.3 MiB off the peak RSS. Allocated at the
 * first read, kept as long as the connection. */
#define RECV_BUF_LEN (64 * 1024)

struct cache_entry {
	char key[300];               /* "name:port" */
	SSL_SESSION *sess;
	uint64_t age;                /* when stored, for eviction */
};

struct nk_tls_ctx {
	SSL_CTX *ssl;
	BIO_METHOD *bio_meth;        /* send()/recv() without SIGPIPE */
	int insecure;
	int ocsp;
	int no_cache;
	char *fallback;              /* the trust store's fallback file */
	int fallback_read;           /* it is in the store (under lock) */
	unsigned char (*pins)[32];   /* SHA-256 of acceptable SPKIs */
	size_t npins;
	int refs;                    /* the caller's, plus one per conn */
	pthread_mutex_t lock;        /* guards the cache */
	struct cache_entry cache[CACHE_SLOTS];
	uint64_t clock;
};

/* A TLS connection: the conn's impl while it speaks TLS. */
struct tls_conn {
	SSL *ssl;
	nk_tls_ctx *ctx;
	int fd;
	char key[300];               /* session cache key */
	unsigned char *rbuf;         /* RECV_BUF_LEN, or NULL before a read */
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
};

const char *
nk_tls_library_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* ---- the socket BIO ---------------------------------------------------
 * OpenSSL's own socket BIO writes with write(), which raises SIGPIPE on a
 * closed connection; a library must not kill its caller, so this one uses
 * send(MSG_NOSIGNAL). It also remembers EOF for BIO_CTRL_EOF, which lets
 * OpenSSL tell a truncation (EOF without close_notify) from other errors. */

static int
bio_write(BIO *b, const char *buf, size_t len, size_t *written)
{
	struct tls_conn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	*written = 0;
	for (;;) {
		ssize_t r = send(t->fd, buf, len, MSG_NOSIGNAL);
		if (r >= 0) {
			*written = (size_t)r;
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return 0;
	}
}

/* OpenSSL (without read-ahead) asks for exactly what it needs: a 5-byte
 * record header, then the record. Both come out of rbuf; only an empty
 * rbuf calls recv(), and then for all the kernel has. A read that asks
 * for more than rbuf holds gets what there is, so nothing is ever moved
 * inside rbuf: OpenSSL asks again for the rest. */
static int
bio_read(BIO *b, char *buf, size_t len, size_t *got)
{
	struct tls_conn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	*got = 0;
	if (len == 0)
		return 0;
	while (t->roff == t->rlen) {
		if (!t->rbuf && !(t->rbuf = malloc(RECV_BUF_LEN))) {
			errno = ENOMEM;
			return 0;
		}
		ssize_t r = recv(t->fd, t->rbuf, RECV_BUF_LEN, 0);
		if (r > 0) {
			t->roff = 0;
			t->rlen = (size_t)r;
			break;
		}
		if (r == 0) {
			t->bio_eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_read(b);
		return 0;
	}
	size_t n = t->rlen - t->roff;
	if (n > len)
		n = len;
	memcpy(buf, t->rbuf + t->roff, n);
	t->roff += n;
	*got = n;
	return 1;
}

/* Bytes received from the socket that OpenSSL has not taken yet. */
static size_t
bio_buffered(const struct tls_conn *t)
{
	return t->rlen - t->roff;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_conn *t = BIO_get_data(b);
	(void)num;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return t && t->bio_eof;
	case BIO_CTRL_PENDING:
		return t ? (long)bio_buffered(t) : 0;
	case BIO_C_GET_FD:
		if (!t)
			return -1;
		if (ptr)
			*(int *)ptr = t->fd;
		return t->fd;
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* ---- the session cache ----------------------------------------------- */

static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_conn *t = SSL_get_app_data(ssl);
	if (!t || !t->ctx || t->ctx->no_cache || !SSL_SESSION_is_resumable(sess))
		return 0;
	nk_tls_ctx *ctx = t->ctx;
	pthread_mutex_lock(&ctx->lock);
	struct cache_entry *slot = NULL;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			slot = e;
			break;
		}
		if (!slot || (slot->sess && (!e->sess || e->age < slot->age)))
			slot = e;
	}
	if (slot->sess)
		SSL_SESSION_free(slot->sess);
	snprintf(slot->key, sizeof slot->key, "%s", t->key);
	slot->sess = sess;
	slot->age = ++ctx->clock;
	pthread_mutex_unlock(&ctx->lock);
	return 1;   /* we keep the reference OpenSSL handed us */
}

/* Puts a cached session for t->key on the SSL, if there is one. */
static void
resume_session(nk_tls_ctx *ctx, struct tls_conn *t)
{
	if (ctx->no_cache)
		return;
	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			SSL_set_session(t->ssl, e->sess);
			break;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* Forgets the session cached for t->key: one whose connection failed a
 * check made after the handshake (a revoked staple, a pin) must not come
 * back through resumption, which skips those checks. */
static void
drop_session(nk_tls_ctx *ctx, struct tls_conn *t)
{
	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			SSL_SESSION_free(e->sess);
			e->sess = NULL;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* ---- verification ---------------------------------------------------- */

/* Records the first failure with what the report needs; fails the
 * handshake there unless the context is insecure. */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	                                      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!t)
		return ok;
	if (!t->sent) {
		STACK_OF(X509) *u = X509_STORE_CTX_get0_untrusted(xs);
		if (u)
			t->sent = X509_chain_up_ref(u);
	}
	if (!ok && t->verr == 0) {
		t->verr = X509_STORE_CTX_get_error(xs);
		t->vdepth = X509_STORE_CTX_get_error_depth(xs);
		X509 *cur = X509_STORE_CTX_get_current_cert(xs);
		if (cur && X509_up_ref(cur))
			t->vcert = cur;
		t->vchain = X509_STORE_CTX_get1_chain(xs);
	}
	return ok || t->ctx->insecure;
}

/* OpenSSL calls this on a client only when the server sent a
 * CertificateRequest, whether or not there is a certificate to give: the
 * one place that tells a request happened, also when the handshake then
 * fails for the want of a certificate. */
static int
cert_cb(SSL *ssl, void *arg)
{
	struct tls_conn *t = SSL_get_app_data(ssl);
	(void)arg;
	if (t)
		t->cert_req = 1;
	return 1;
}

struct code_text {
	long code;
	const char *text;
};

static const struct code_text code_texts[] = {
	{ X509_V_OK, "ok" },
	{ X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired" },
	{ X509_V_ERR_CERT_NOT_YET_VALID, "certificate is not valid yet" },
	{ X509_V_ERR_HOSTNAME_MISMATCH, "certificate is for other names" },
	{ X509_V_ERR_IP_ADDRESS_MISMATCH, "certificate is for other addresses" },
	{ X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate" },
	{ X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "untrusted root certificate" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknown issuer" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "unknown issuer" },
	{ X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	  "missing intermediate certificate" },
	{ X509_V_ERR_CERT_REVOKED, "certificate is revoked" },
	{ X509_V_ERR_EE_KEY_TOO_SMALL, "key too weak" },
	{ X509_V_ERR_CA_KEY_TOO_SMALL, "CA key too weak" },
	{ X509_V_ERR_CA_MD_TOO_WEAK, "signature algorithm too weak" },
	{ X509_V_ERR_INVALID_CA, "issuer is not a valid CA" },
	{ X509_V_ERR_INVALID_PURPOSE, "certificate is not for TLS servers" },
	{ X509_V_ERR_CERT_SIGNATURE_FAILURE, "bad certificate signature" },
	{ X509_V_ERR_CERT_CHAIN_TOO_LONG, "certificate chain too long" },
	{ X509_V_ERR_PATH_LENGTH_EXCEEDED, "CA path length exceeded" },
	{ X509_V_ERR_EMAIL_MISMATCH, "certificate is for other e-mail addresses" },
};

const char *
nk_tls_verify_code_str(long code)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(code_texts); i++)
		if (code_texts[i].code == code)
			return code_texts[i].text;
	return X509_verify_cert_error_string(code);
}

/* Appends the certificate's DNS and IP names to out as "a, b, c", ending
 * with "(and N more)" when they do not fit. */
static void
names_list(const struct nk_x509_facts *f, char *out, size_t len)
{
	size_t o = strlen(out);
	for (size_t i = 0; i < f->nsan; i++) {
		const char *v = f->san[i].value;
		/* Room for this name and a possible " (and N more)". */
		if (o + strlen(v) + 2 + 24 >= len) {
			snprintf(out + o, len - o, " (and %zu more)", f->nsan - i);
			return;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? ", " : "", v);
	}
}

/* The plain-words reason for the first verification failure. */
static void
verify_reason(long code, int depth, X509 *cert, char *out, size_t len)
{
	struct nk_x509_facts f;
	const char *who = depth > 0 ? "CA certificate" : "certificate";
	const nk_x509 *c = (const nk_x509 *)(void *)cert;
	if (!cert) {
		snprintf(out, len, "%s", nk_tls_verify_code_str(code));
		return;
	}
	if (nk_x509_facts_get(c, (int64_t)time(NULL), &f, NULL) != NK_OK) {
		nk_x509_facts_clear(&f);
		snprintf(out, len, "%s", nk_tls_verify_code_str(code));
		return;
	}
	char name[160];
	nk_x509_safe_text(name, sizeof name, f.subject, strlen(f.subject));
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		if (depth > 0)
			snprintf(out, len, "%s %s has expired (on %s)", who, name,
			         f.not_after_str);
		else
			snprintf(out, len, "certificate has expired (on %s)",
			         f.not_after_str);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (depth > 0)
			snprintf(out, len, "%s %s is not valid before %s", who, name,
			         f.not_before_str);
		else
			snprintf(out, len, "certificate is not valid before %s",
			         f.not_before_str);
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		if (f.nsan == 0) {
			snprintf(out, len, "certificate has no subject alternative "
			         "names (its %s is not checked)", name);
		} else {
			snprintf(out, len, "certificate is for other names: ");
			names_list(&f, out, len);
		}
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		snprintf(out, len, "self-signed certificate");
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		snprintf(out, len, "untrusted root certificate in chain: %s", name);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
		char issuer[160];
		nk_x509_safe_text(issuer, sizeof issuer, f.issuer, strlen(f.issuer));
		/* The server should send every certificate between its own and
		 * a root; when the leaf's issuer is nowhere, that is what
		 * happened (or the leaf hangs off an unknown root directly,
		 * which nothing in the handshake can tell apart). */
		if (depth == 0 && X509_check_issued(cert, cert) != X509_V_OK)
			snprintf(out, len, "missing intermediate certificate or "
			         "unknown root: issuer %s was not sent and is not "
			         "trusted", issuer);
		else
			snprintf(out, len, "unknown issuer: %s", issuer);
		break;
	}
	case X509_V_ERR_EE_KEY_TOO_SMALL:
		snprintf(out, len, "key too weak (%s bits)", f.key_desc);
		break;
	case X509_V_ERR_CA_KEY_TOO_SMALL:
		snprintf(out, len, "CA key too weak (%s bits): %s", f.key_desc,
		         name);
		break;
	case X509_V_ERR_CA_MD_TOO_WEAK:
		snprintf(out, len, "signature algorithm too weak (%.40s) in %s %.120s",
		         f.sig_alg, who, name);
		break;
	default:
		if (depth > 0)
			snprintf(out, len, "%s (%s %s)", nk_tls_verify_code_str(code),
			         who, name);
		else
			snprintf(out, len, "%s", nk_tls_verify_code_str(code));
	}
	nk_x509_facts_clear(&f);
}

/* ---- the conn operations --------------------------------------------- */

/* Words for the last OpenSSL error, or `fallback`. */
static const char *
ossl_reason(const char *fallback)
{
	/* A file OpenSSL could not open leaves errno first, under a last
	 * error that only says "system lib". */
	unsigned long first = ERR_peek_error();
	if (first && ERR_SYSTEM_ERROR(first))
		return strerror(ERR_GET_REASON(first));
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : fallback;
}

static nk_err
set_dead(nk_conn *c, struct tls_conn *t, nk_err e, const char *verb,
         int ssl_err, char *errmsg)
{
	int saved = errno, port;
	const char *far = nk_conn_far(c, &port);
	if (ssl_err == SSL_ERROR_SYSCALL && saved != 0)
		snprintf(t->dead_msg, sizeof t->dead_msg, "%s %s port %d: %s", verb,
		         far, port, strerror(saved));
	else
		snprintf(t->dead_msg, sizeof t->dead_msg,
		         "%s %s port %d over TLS: %s", verb, far, port,
		         ossl_reason("connection lost"));
	ERR_clear_error();
	t->dead = e;
	t->fatal |= ssl_err == SSL_ERROR_SSL || ssl_err == SSL_ERROR_SYSCALL;
	/* A session whose connection died of an error is not offered again
	 * (OpenSSL forgets it itself only when it sent an alert). */
	drop_session(t->ctx, t);
	return nk_fail(errmsg, e, "%s", t->dead_msg);
}

static int
is_unexpected_eof(void)
{
	unsigned long e = ERR_peek_last_error();
	return e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	       ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

static nk_err
tls_read(nk_conn *c, void *buf, size_t len, size_t *n, int *want,
         char *errmsg)
{
	struct tls_conn *t = c->impl;
	size_t total = 0;
	*n = 0;
	*want = 0;
	if (t->dead) {
		t->told = 1;
		return nk_fail(errmsg, t->dead, "%s", t->dead_msg);
	}
	if (t->eof) {
		t->told = 1;
		return NK_OK;
	}
	if (len == 0)
		return NK_OK;
	/* Records already received (in the BIO's buffer, or a record OpenSSL
	 * holds) are taken in the same call, so one read drains what one
	 * recv() brought; the socket is not asked again once nothing is
	 * buffered. */
	for (;;) {
		size_t got = 0;
		ERR_clear_error();
		errno = 0;
		int r = SSL_read_ex(t->ssl, (char *)buf + total, len - total, &got);
		if (r == 1) {
			total += got;
			if (total == len ||
			    (!SSL_has_pending(t->ssl) && bio_buffered(t) == 0))
				break;
			continue;
		}
		int err = SSL_get_error(t->ssl, 0);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			if (total == 0)
				*want = err == SSL_ERROR_WANT_READ ? NK_WANT_READ
				                                   : NK_WANT_WRITE;
			break;
		}
		if (err == SSL_ERROR_ZERO_RETURN) {
			t->eof = 1;
			t->told = total == 0;
			break;
		}
		if ((err == SSL_ERROR_SSL && is_unexpected_eof()) ||
		    (err == SSL_ERROR_SYSCALL && errno == 0)) {
			/* TCP FIN without close_notify: an EOF for the tools,
			 * remembered for those that must call it truncation. */
			ERR_clear_error();
			t->eof = 1;
			t->unclean = 1;
			t->fatal = 1;
			t->told = total == 0;
			break;
		}
		if (total > 0) {
			/* Hand over the data first; the error is sticky. */
			set_dead(c, t, NK_ERR_RECV_ERROR, "reading from", err, NULL);
			break;
		}
		t->told = 1;
		return set_dead(c, t, NK_ERR_RECV_ERROR, "reading from", err,
		                errmsg);
	}
	*n = total;
	return NK_OK;
}

static nk_err
tls_write(nk_conn *c, const void *buf, size_t len, size_t *n, int *want,
          char *errmsg)
{
	struct tls_conn *t = c->impl;
	*n = 0;
	*want = 0;
	if (t->dead)
		return nk_fail(errmsg, t->dead, "%s", t->dead_msg);
	if (len == 0)
		return NK_OK;
	ERR_clear_error();
	errno = 0;
	size_t done = 0;
	int r = SSL_write_ex(t->ssl, buf, len, &done);
	if (r == 1) {
		*n = done;
		return NK_OK;
	}
	int err = SSL_get_error(t->ssl, 0);
	if (err == SSL_ERROR_WANT_WRITE) {
		*want = NK_WANT_WRITE;
		return NK_OK;
	}
	if (err == SSL_ERROR_WANT_READ) {
		*want = NK_WANT_READ;
		return NK_OK;
	}
	if (err == SSL_ERROR_SYSCALL && errno == 0)
		errno = EPIPE;
	return set_dead(c, t, NK_ERR_SEND_ERROR, "sending to", err, errmsg);
}

/* close_notify, then FIN; the peer's direction stays readable, so a reply
 * that crosses our close_notify is still delivered (RFC 8446 section 6.1
 * lets each side close its write side alone). */
static nk_err
tls_shutdown(nk_conn *c, int *want, char *errmsg)
{
	struct tls_conn *t = c->impl;
	*want = 0;
	if (!t->close_sent && !t->dead && !t->fatal) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_shutdown(t->ssl);
		if (r < 0) {
			int err = SSL_get_error(t->ssl, r);
			if (err == SSL_ERROR_WANT_WRITE) {
				*want = NK_WANT_WRITE;
				return NK_OK;
			}
			if (err == SSL_ERROR_WANT_READ) {
				*want = NK_WANT_READ;
				return NK_OK;
			}
			if (err == SSL_ERROR_SYSCALL && errno == 0)
				errno = EPIPE;
			return set_dead(c, t, NK_ERR_SEND_ERROR, "closing to", err,
			                errmsg);
		}
		t->close_sent = 1;
	}
	if (shutdown(c->fd, SHUT_WR) != 0 && errno != ENOTCONN) {
		int port;
		const char *far = nk_conn_far(c, &port);
		return nk_fail(errmsg, NK_ERR_SEND_ERROR, "shutdown to %s port %d: %s",
		               far, port, strerror(errno));
	}
	return NK_OK;
}

/* Decrypted bytes ready, or 1 when something else (a close_notify, an
 * alert) is buffered that poll() on the socket would never announce: the
 * next read returns it at once. A partial record counts as nothing, and
 * so does an EOF or error a read has already returned. */
static size_t
tls_pending(const nk_conn *c)
{
	struct tls_conn *t = c->impl;
	if (t->dead || t->eof)
		return !t->told;
	int p = SSL_pending(t->ssl);
	if (p > 0)
		return (size_t)p;
	if (!SSL_has_pending(t->ssl) && bio_buffered(t) == 0)
		return 0;
	/* Bytes sit in the BIO's buffer or in OpenSSL's; peeking processes a
	 * whole record if one is there, without consuming application data. */
	char byte;
	size_t got = 0;
	ERR_clear_error();
	errno = 0;
	if (SSL_peek_ex(t->ssl, &byte, 1, &got) == 1) {
		p = SSL_pending(t->ssl);
		return p > 0 ? (size_t)p : 1;
	}
	int err = SSL_get_error(t->ssl, 0);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return 0;
	}
	if (err == SSL_ERROR_ZERO_RETURN) {
		t->eof = 1;
	} else if ((err == SSL_ERROR_SSL && is_unexpected_eof()) ||
	           (err == SSL_ERROR_SYSCALL && errno == 0)) {
		t->eof = 1;
		t->unclean = 1;
		t->fatal = 1;
	} else {
		/* The const conn is only read; the TLS state it points to is
		 * the transport's to update. */
		nk_conn *mc = (nk_conn *)(uintptr_t)c;
		set_dead(mc, t, NK_ERR_RECV_ERROR, "reading from", err, NULL);
	}
	ERR_clear_error();
	return 1;
}

static void ctx_unref(nk_tls_ctx *ctx);

static void
tls_conn_free(struct tls_conn *t)
{
	if (!t)
		return;
	/* SSL_free may still call back (session callbacks), so the context
	 * goes last. */
	SSL_free(t->ssl);
	free(t->rbuf);
	X509_free(t->vcert);
	sk_X509_pop_free(t->vchain, X509_free);
	sk_X509_pop_free(t->sent, X509_free);
	ctx_unref(t->ctx);
	free(t);
}

static void
tls_free(nk_conn *c)
{
	struct tls_conn *t = c->impl;
	/* OpenSSL forgets the session of a connection freed without a
	 * close_notify sent, so a caller that simply frees (HTTP after a
	 * complete body) would never resume. Say goodbye if the socket takes
	 * it at once; either way the session stays, unless the connection
	 * died of an error (then OpenSSL allows no SSL_shutdown). */
	if (t && !t->dead && !t->fatal && SSL_is_init_finished(t->ssl)) {
		if (!t->close_sent) {
			SSL_shutdown(t->ssl);
			ERR_clear_error();
		}
		SSL_set_shutdown(t->ssl, SSL_get_shutdown(t->ssl) | SSL_SENT_SHUTDOWN);
	}
	tls_conn_free(c->impl);
	c->impl = NULL;
}

static const struct nk_conn_ops tls_ops = {
	tls_read, tls_write, tls_shutdown, tls_pending, tls_free,
};

int
nk_tls_conn_is_tls(const nk_conn *c)
{
	return c && c->ops == &tls_ops;
}

int
nk_tls_conn_unclean_eof(const nk_conn *c)
{
	if (!nk_tls_conn_is_tls(c))
		return 0;
	const struct tls_conn *t = c->impl;
	return t->unclean;
}

/* ---- the context ----------------------------------------------------- */

static int
password_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	(void)rwflag;
	if (!pw)
		return 0;   /* never prompt on the terminal */
	size_t len = strlen(pw);
	if (len > (size_t)size)
		return 0;
	/* OpenSSL takes the length returned, not a terminated string. */
	memcpy(buf, pw, len); /* NOLINT(bugprone-not-null-terminated-result) */
	return (int)len;
}

/* "h2,http/1.1" in the wire format (length-prefixed strings). */
static int
alpn_wire(const char *list, unsigned char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (l == 0 || l > 255 || o + 1 + l > cap)
			return -1;
		out[o++] = (unsigned char)l;
		memcpy(out + o, p, l); /* NOLINT(bugprone-not-null-terminated-result) */
		o += l;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			return -1;
	}
	*outlen = o;
	return o > 0 ? 0 : -1;
}

/* "sha256//B64;sha256//B64" into ctx->pins. */
static nk_err
parse_pins(nk_tls_ctx *ctx, const char *spec, char *errmsg)
{
	size_t count = 1;
	for (const char *p = spec; *p; p++)
		count += *p == ';';
	ctx->pins = calloc(count, sizeof *ctx->pins);
	if (!ctx->pins)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	const char *p = spec;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t l = semi ? (size_t)(semi - p) : strlen(p);
		unsigned char raw[48];
		/* 32 bytes are 44 base64 characters, one '=' of padding. */
		if (l != 8 + 44 || strncmp(p, "sha256//", 8) != 0 ||
		    EVP_DecodeBlock(raw, (const unsigned char *)p + 8, 44) != 33 ||
		    p[8 + 43] != '=')
			return nk_fail(errmsg, NK_ERR_FAILED_INIT,
			               "bad pinned public key '%.*s': expected "
			               "sha256// and 44 base64 characters",
			               (int)(l > 80 ? 80 : l), p);
		memcpy(ctx->pins[ctx->npins++], raw, 32);
		if (!semi)
			break;
		p = semi + 1;
	}
	return NK_OK;
}

/* ---- the trust store ------------------------------------------------
 * The system's store comes in two forms: a hashed directory, whose lookup
 * reads the one root a chain needs, and a bundle file, which OpenSSL can
 * only parse whole (some 140 roots: 30 ms of CPU at every start on the
 * test machine). Some systems fill only one of them (Fedora and RHEL: the
 * bundle). So the directory is asked first, and only a verification that
 * found no issuer there reads the bundle into the store and runs again.
 * (A lookup method that read the file at its first miss would read it for
 * nearly every chain: OpenSSL looks for each intermediate in the store
 * before it takes the one the server sent.) */

/* Puts ctx->fallback in the store once; 1 when it is there. */
static int
read_fallback(nk_tls_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->fallback_read &&
	    X509_STORE_load_file(SSL_CTX_get_cert_store(ctx->ssl), ctx->fallback))
		ctx->fallback_read = 1;
	ERR_clear_error();
	int ok = ctx->fallback_read;
	pthread_mutex_unlock(&ctx->lock);
	return ok;
}

/* The failures a store with more roots could cure. */
static int
issuer_missing(long code)
{
	return code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	       code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	       code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
	       code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
}

static void
forget_failure(struct tls_conn *t)
{
	t->verr = 0;
	t->vdepth = 0;
	X509_free(t->vcert);
	t->vcert = NULL;
	sk_X509_pop_free(t->vchain, X509_free);
	t->vchain = NULL;
}

/* Verifies xs's certificate again in a new context over the same store and
 * parameters, and hands the outcome to xs, where the SSL reads it. */
static int
verify_again(X509_STORE_CTX *xs, SSL *ssl, struct tls_conn *t, int ok)
{
	X509_STORE_CTX *x2 = X509_STORE_CTX_new();
	if (!x2 || !X509_STORE_CTX_init(x2, X509_STORE_CTX_get0_store(xs),
	                                X509_STORE_CTX_get0_cert(xs),
	                                X509_STORE_CTX_get0_untrusted(xs)) ||
	    !X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(x2),
	                            X509_STORE_CTX_get0_param(xs)) ||
	    !X509_STORE_CTX_set_ex_data(x2, SSL_get_ex_data_X509_STORE_CTX_idx(),
	                                ssl)) {
		X509_STORE_CTX_free(x2);
		ERR_clear_error();
		return ok;
	}
	X509_STORE_CTX_set_verify_cb(x2, verify_cb);
	forget_failure(t);
	ok = X509_verify_cert(x2);
	X509_STORE_CTX_set_error(xs, X509_STORE_CTX_get_error(x2));
	X509_STORE_CTX_set_error_depth(xs, X509_STORE_CTX_get_error_depth(x2));
	X509_STORE_CTX_set_current_cert(xs, X509_STORE_CTX_get_current_cert(x2));
	X509_STORE_CTX_set0_verified_chain(xs, X509_STORE_CTX_get1_chain(x2));
	X509_STORE_CTX_free(x2);
	return ok;
}

/* OpenSSL's verification, then, if it found no issuer, the same with the
 * fallback file read. The first failure verify_cb recorded decides: with
 * insecure, X509_verify_cert succeeds whatever it found. */
static int
verify_app(X509_STORE_CTX *xs, void *arg)
{
	nk_tls_ctx *ctx = arg;
	int ok = X509_verify_cert(xs);
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	                                      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!t || !issuer_missing(t->verr) || !read_fallback(ctx))
		return ok;
	return verify_again(xs, ssl, t, ok);
}

/* Is there a directory at dir? 0, or the errno that says why not. */
static int
dir_missing(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

static nk_err
load_ca(nk_tls_ctx *ctx, const nk_tls_config *cfg, char *errmsg)
{
	SSL_CTX *sctx = ctx->ssl;
	const char *file = cfg->cafile, *dir = cfg->capath;
	/* The program's defaults (SSL_CERT_FILE and SSL_CERT_DIR, or
	 * OpenSSL's own places when neither is set): with a directory, the
	 * file is its fallback, read only if the directory falls short. */
	const char *fallback = NULL;
	int system = 0;
	if (!file && !dir) {
		file = cfg->default_cafile;
		dir = cfg->default_capath;
		if (!file && !dir) {
			system = 1;
			dir = X509_get_default_cert_dir();
			file = X509_get_default_cert_file();
		}
		if (file && dir) {
			fallback = file;
			file = NULL;
		}
	}
	if (file && !SSL_CTX_load_verify_file(sctx, file)) {
		nk_err e = nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
		                   "cannot use CA file %s: %s", file,
		                   ossl_reason("no certificates in it"));
		ERR_clear_error();
		return e;
	}
	if (dir) {
		/* The lookup only opens files when it needs them, so check
		 * now that there is a directory to look in. */
		int bad = dir_missing(dir);
		if (bad && !system)
			return nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			               "cannot use CA directory %s: %s", dir,
			               strerror(bad));
		/* OpenSSL's built-in directory may simply not exist. */
		if (!bad && !SSL_CTX_load_verify_dir(sctx, dir)) {
			nk_err e = nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			                   "cannot use CA directory %s: %s", dir,
			                   ossl_reason("unusable"));
			ERR_clear_error();
			return e;
		}
	}
	if (fallback) {
		/* Read later, but a file that is not there is said now. */
		if (access(fallback, R_OK) != 0) {
			if (system)
				return NK_OK;
			return nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			               "cannot use CA file %s: %s", fallback,
			               strerror(errno));
		}
		if (!(ctx->fallback = strdup(fallback)))
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		SSL_CTX_set_cert_verify_callback(sctx, verify_app, ctx);
	}
	return NK_OK;
}

static nk_err
load_client_cert(SSL_CTX *sctx, const nk_tls_config *cfg, char *errmsg)
{
	nk_err e = NK_OK;
	if (!cfg->cert && !cfg->key)
		return NK_OK;
	if (!cfg->cert)
		return nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		               "a client key needs a client certificate (--cert)");
	SSL_CTX_set_default_passwd_cb(sctx, password_cb);
	SSL_CTX_set_default_passwd_cb_userdata(sctx, (void *)(uintptr_t)
	                                       cfg->key_password);
	const char *key = cfg->key ? cfg->key : cfg->cert;
	if (SSL_CTX_use_certificate_chain_file(sctx, cfg->cert) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "cannot use client certificate %s: %s", cfg->cert,
		            ossl_reason("unreadable"));
	else if (SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "cannot use client key %s: %s", key,
		            ossl_reason("unreadable"));
	else if (SSL_CTX_check_private_key(sctx) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "client key %s does not match certificate %s", key,
		            cfg->cert);
	/* The password was only needed while loading; keep no pointer to
	 * the caller's memory. */
	SSL_CTX_set_default_passwd_cb_userdata(sctx, NULL);
	ERR_clear_error();
	return e;
}

/* OpenSSL initialises itself at its first use; asked here first, it skips
 * the clean-up it would otherwise register with atexit(): freeing, as the
 * process ends, memory the process is giving back anyway cost 1.5 million
 * instructions, 7 % of a small https GET (docs/BENCHMARKS.md). What is
 * left is still reachable from OpenSSL's globals, so leak checkers do not
 * count it. Whoever initialises OpenSSL first decides: a program that did
 * so before libnk keeps its own choice.
 *
 * openssl.cnf is still read (0.8 million instructions, 4 %): it is where a
 * system sets its TLS policy (minimum version, cipher string, security
 * level: Fedora's and RHEL's crypto-policies, Debian's own in the past)
 * and its providers (FIPS), which nk obeys as curl and wget do. */
static nk_err
tls_lib_init(char *errmsg)
{
	if (OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT |
	                     OPENSSL_INIT_LOAD_SSL_STRINGS |
	                     OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) == 1)
		return NK_OK;
	/* A broken openssl.cnf, for one. */
	nk_err e = nk_fail(errmsg, NK_ERR_FAILED_INIT, "cannot initialise "
	                   "OpenSSL: %s", ossl_reason("unknown error"));
	ERR_clear_error();
	return e;
}

nk_err
nk_tls_ctx_new(const nk_tls_config *cfg, nk_tls_ctx **out, char *errmsg)
{
	static const nk_tls_config none;
	nk_err e;
	*out = NULL;
	if (!cfg)
		cfg = &none;
	int minv = cfg->min_version ? cfg->min_version : NK_TLS_1_2;
	int maxv = cfg->max_version;
	if ((minv != NK_TLS_1_2 && minv != NK_TLS_1_3) ||
	    (maxv && maxv != NK_TLS_1_2 && maxv != NK_TLS_1_3))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT,
		               "unsupported TLS version (1.2 and 1.3 are)");
	if (maxv && maxv < minv)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT,
		               "the highest TLS version allowed is below the "
		               "lowest");
	if ((e = tls_lib_init(errmsg)) != NK_OK)
		return e;

	nk_tls_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->refs = 1;
	ctx->insecure = cfg->insecure;
	ctx->ocsp = cfg->ocsp;
	ctx->no_cache = cfg->no_session_cache;

	ctx->ssl = SSL_CTX_new(TLS_client_method());
	ctx->bio_meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                             "nk socket");
	if (!ctx->ssl || !ctx->bio_meth) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto fail;
	}
	BIO_meth_set_write_ex(ctx->bio_meth, bio_write);
	BIO_meth_set_read_ex(ctx->bio_meth, bio_read);
	BIO_meth_set_ctrl(ctx->bio_meth, bio_ctrl);
	BIO_meth_set_create(ctx->bio_meth, bio_create);

	SSL_CTX *s = ctx->ssl;
	SSL_CTX_set_app_data(s, ctx);
	SSL_CTX_set_min_proto_version(s, minv);
	SSL_CTX_set_max_proto_version(s, maxv);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* No read-ahead: the BIO buffers (see RECV_BUF_LEN). */
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_CLIENT |
	                                  SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(s, new_session);
	SSL_CTX_set_cert_cb(s, cert_cb, NULL);

	if (cfg->alpn) {
		unsigned char wire[512];
		size_t wl;
		if (alpn_wire(cfg->alpn, wire, sizeof wire, &wl) != 0) {
			e = nk_fail(errmsg, NK_ERR_FAILED_INIT, "bad ALPN list '%s'",
			            cfg->alpn);
			goto fail;
		}
		/* Returns 0 on success, unlike most of OpenSSL. */
		if (SSL_CTX_set_alpn_protos(s, wire, (unsigned int)wl) != 0) {
			e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
			goto fail;
		}
	}
	if (cfg->pinned_pubkey &&
	    (e = parse_pins(ctx, cfg->pinned_pubkey, errmsg)) != NK_OK)
		goto fail;
	if ((e = load_ca(ctx, cfg, errmsg)) != NK_OK)
		goto fail;
	if ((e = load_client_cert(s, cfg, errmsg)) != NK_OK)
		goto fail;
	*out = ctx;
	return NK_OK;
fail:
	nk_tls_ctx_free(ctx);
	ERR_clear_error();
	return e;
}

/* Drops one reference; the last one frees. Conns hold one each, so a
 * context freed by its owner lives on while its conns do (the BIO method
 * and the session cache are used until then). */
static void
ctx_unref(nk_tls_ctx *ctx)
{
	if (!ctx || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		SSL_SESSION_free(ctx->cache[i].sess);
	SSL_CTX_free(ctx->ssl);
	free(ctx->fallback);
	BIO_meth_free(ctx->bio_meth);
	free(ctx->pins);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

void
nk_tls_ctx_free(nk_tls_ctx *ctx)
{
	ctx_unref(ctx);
}

void
nk_tls_info_clear(nk_tls_info *info)
{
	if (!info)
		return;
	nk_x509_chain_free(info->sent);
	nk_x509_chain_free(info->verified);
	for (size_t i = 0; i < info->ncert_cas; i++)
		free(info->cert_cas[i]);
	free(info->cert_cas);
	memset(info, 0, sizeof *info);
	info->verify_depth = -1;
}

/* ---- the handshake --------------------------------------------------- */

static int
is_ip_literal(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* The key exchange group by its usual name: "X25519", "P-256". */
static void
group_name(SSL *ssl, char *out, size_t len)
{
	EVP_PKEY *pk = NULL;
	out[0] = '\0';
	if (!SSL_get_peer_tmp_key(ssl, &pk) || !pk) {
		ERR_clear_error();
		return;
	}
	int id = EVP_PKEY_get_base_id(pk);
	char g[64];
	if (id == EVP_PKEY_X25519) {
		snprintf(out, len, "X25519");
	} else if (id == EVP_PKEY_X448) {
		snprintf(out, len, "X448");
	} else if (EVP_PKEY_get_group_name(pk, g, sizeof g, NULL)) {
		int nid = OBJ_txt2nid(g);
		const char *nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		snprintf(out, len, "%.31s", nist ? nist : g);
	} else if (id == EVP_PKEY_DH) {
		snprintf(out, len, "DH %d", EVP_PKEY_get_bits(pk));
	}
	EVP_PKEY_free(pk);
	ERR_clear_error();
}

static void
time_str(const ASN1_GENERALIZEDTIME *t, char *out, size_t len)
{
	int64_t secs;
	if (!t || nk_x509_time(t, out, len, &secs) != 0)
		out[0] = '\0';
}

/* Reads the stapled OCSP response about the leaf into info. */
static void
check_staple(nk_tls_ctx *ctx, SSL *ssl, STACK_OF(X509) *sent,
             STACK_OF(X509) *verified, nk_tls_info *info)
{
	const unsigned char *p = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	if (len <= 0 || !p)
		return;
	info->ocsp = NK_OCSP_INVALID;
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	/* The issuer from the path that was built, else from what was sent. */
	X509 *issuer = NULL;
	if (verified && sk_X509_num(verified) > 1)
		issuer = sk_X509_value(verified, 1);
	else if (sent && sk_X509_num(sent) > 1)
		issuer = sk_X509_value(sent, 1);
	resp = d2i_OCSP_RESPONSE(NULL, &p, len);
	if (!resp || !leaf || !issuer ||
	    OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		goto done;
	bs = OCSP_response_get1_basic(resp);
	id = bs ? OCSP_cert_to_id(NULL, leaf, issuer) : NULL;
	int status, reason;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	if (!id || !OCSP_resp_find_status(bs, id, &status, &reason, &rev,
	                                  &thisupd, &nextupd))
		goto done;
	/* A response must be signed by the issuer or its delegate, and be
	 * current (five minutes of clock skew allowed). */
	if (OCSP_basic_verify(bs, sent, SSL_CTX_get_cert_store(ctx->ssl), 0) <= 0 ||
	    !OCSP_check_validity(thisupd, nextupd, 300, -1))
		goto done;
	time_str(thisupd, info->ocsp_this_update, sizeof info->ocsp_this_update);
	time_str(nextupd, info->ocsp_next_update, sizeof info->ocsp_next_update);
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		info->ocsp = NK_OCSP_GOOD;
	} else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		info->ocsp = NK_OCSP_REVOKED;
		time_str(rev, info->ocsp_revoked_at, sizeof info->ocsp_revoked_at);
	} else {
		info->ocsp = NK_OCSP_UNKNOWN;
	}
done:
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
}

static int
pin_matches(nk_tls_ctx *ctx, X509 *leaf)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len = leaf ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der) : -1;
	if (len <= 0)
		return 0;
	int ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok || mdlen != 32)
		return 0;
	for (size_t i = 0; i < ctx->npins; i++)
		if (memcmp(ctx->pins[i], md, 32) == 0)
			return 1;
	return 0;
}

/* What verification found, into info (as far as it is known). */
static void
fill_verify(struct tls_conn *t, int handshake_done, int chains,
            nk_tls_info *info)
{
	STACK_OF(X509) *sent = SSL_get_peer_cert_chain(t->ssl);
	STACK_OF(X509) *verified = SSL_get0_verified_chain(t->ssl);
	if (chains) {
		info->sent = nk_x509_chain_dup(sent ? sent : t->sent);
		info->verified = nk_x509_chain_dup(verified ? verified
		                                            : t->vchain);
	}
	long code = t->verr;
	if (code == 0 && handshake_done)
		code = SSL_get_verify_result(t->ssl);   /* a resumed session's */
	if (code == 0 && !handshake_done) {
		info->verify_ok = 0;
		info->verify_depth = -1;
		return;
	}
	info->verify_code = code;
	info->verify_ok = code == X509_V_OK;
	info->verify_depth = code == X509_V_OK ? -1 : t->vdepth;
	if (code != X509_V_OK) {
		verify_reason(code, t->vdepth, t->vcert, info->verify_reason,
		              sizeof info->verify_reason);
		snprintf(info->verify_openssl, sizeof info->verify_openssl, "%s",
		         X509_verify_cert_error_string(code));
	}
}

static void
fill_session(struct tls_conn *t, nk_tls_info *info)
{
	SSL *ssl = t->ssl;
	const SSL_CIPHER *ci = SSL_get_current_cipher(ssl);
	const unsigned char *alpn = NULL;
	unsigned int alen = 0;
	snprintf(info->version, sizeof info->version, "%s", SSL_get_version(ssl));
	if (ci) {
		const char *std = SSL_CIPHER_standard_name(ci);
		snprintf(info->cipher, sizeof info->cipher, "%s",
		         std ? std : SSL_CIPHER_get_name(ci));
		snprintf(info->cipher_openssl, sizeof info->cipher_openssl, "%s",
		         SSL_CIPHER_get_name(ci));
	}
	group_name(ssl, info->group, sizeof info->group);
	SSL_get0_alpn_selected(ssl, &alpn, &alen);
	if (alpn && alen > 0)
		nk_x509_safe_text(info->alpn, sizeof info->alpn, (const char *)alpn,
		                  alen);
	info->resumed = SSL_session_reused(ssl);
}

/* Whether the server asked for a client certificate, and from whom. Out
 * of memory loses names, not the request. */
static void
fill_cert_request(struct tls_conn *t, nk_tls_info *info)
{
	if (!t->cert_req)
		return;
	info->cert_requested = 1;
	info->cert_sent = SSL_get_certificate(t->ssl) != NULL;
	const STACK_OF(X509_NAME) *cas = SSL_get0_peer_CA_list(t->ssl);
	int n = cas ? sk_X509_NAME_num(cas) : 0;
	if (n <= 0 || !(info->cert_cas = calloc((size_t)n, sizeof (char *))))
		return;
	for (int i = 0; i < n; i++) {
		char buf[512];
		nk_x509_name_text(sk_X509_NAME_value(cas, i), buf, sizeof buf);
		if ((info->cert_cas[info->ncert_cas] = strdup(buf)))
			info->ncert_cas++;
	}
}

/* Message for a failed handshake: OpenSSL's reason, or the socket's. */
static nk_err
handshake_fail(const char *who, int err, int saved_errno,
               char *errmsg)
{
	const char *why;
	if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
		why = strerror(saved_errno);
	else if ((err == SSL_ERROR_SYSCALL) ||
	         (err == SSL_ERROR_SSL && is_unexpected_eof()))
		why = "the server closed the connection";
	else
		why = ossl_reason("unknown error");
	return nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	               "TLS handshake with %s failed: %s", who, why);
}

nk_err
nk_tls_start(nk_tls_ctx *ctx, nk_conn *conn, const char *name,
             nk_time deadline, nk_tls_info *info, char *errmsg)
{
	nk_time t0 = nk_now();
	nk_tls_info dummy;
	/* Set on every path to fail; the initialiser is a safety net. */
	/* cppcheck-suppress unreadVariable */
	nk_err e = NK_OK;
	int chains = info != NULL;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	info->verify_depth = -1;
	if (!ctx || !conn || conn->ops != &nk_conn_plain_ops)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "TLS needs a plain connection");

	/* The name without brackets or a trailing dot: SNI and the
	 * certificate carry neither (RFC 6066 section 3). */
	char host[256];
	if (!name || !*name)
		name = conn->peer_str;
	size_t nl = strlen(name);
	if (nl >= sizeof host)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "host name too long");
	if (name[0] == '[' && nl > 2 && name[nl - 1] == ']') {
		memcpy(host, name + 1, nl - 2);
		host[nl - 2] = '\0';
	} else {
		memcpy(host, name, nl + 1);
		if (nl > 1 && host[nl - 1] == '.')
			host[nl - 1] = '\0';
	}
	int ip = is_ip_literal(host), port;
	/* Through a tunnel, the proxy is neither the name in messages nor
	 * the port in the cache key: host:443 and host:8443 are two
	 * servers, whatever proxy port carries them. */
	const char *far = nk_conn_far(conn, &port);
	char who[540];
	if (strcmp(host, far) == 0)
		snprintf(who, sizeof who, "%s", host);
	else
		snprintf(who, sizeof who, "%s (%s)", host, far);

	struct tls_conn *t = calloc(1, sizeof *t);
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	t->ctx = ctx;
	__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
	t->fd = conn->fd;
	snprintf(t->key, sizeof t->key, "%s:%d", host, port);
	ERR_clear_error();
	t->ssl = SSL_new(ctx->ssl);
	BIO *bio = BIO_new(ctx->bio_meth);
	if (!t->ssl || !bio) {
		BIO_free(bio);
		tls_conn_free(t);
		ERR_clear_error();
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_app_data(t->ssl, t);

	/* A leading dot would make OpenSSL accept any subdomain. */
	if (!ip && (host[0] == '.' || host[0] == '\0' || strstr(host, ".."))) {
		tls_conn_free(t);
		return nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		               "cannot use '%s' as a TLS server name", host);
	}
	X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
	X509_VERIFY_PARAM_set_hostflags(param,
	                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	                                X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
	            : X509_VERIFY_PARAM_set1_host(param, host, 0);
	if (ok && !ip)
		ok = SSL_set_tlsext_host_name(t->ssl, host);
	if (!ok) {
		tls_conn_free(t);
		ERR_clear_error();
		return nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		               "cannot use '%s' as a TLS server name", host);
	}
	if (ctx->ocsp)
		SSL_set_tlsext_status_type(t->ssl, TLSEXT_STATUSTYPE_ocsp);
	resume_session(ctx, t);

	/* The conn speaks TLS from here: the handshake runs through the
	 * same operations the conn will use. */
	conn->impl = t;
	conn->ops = &tls_ops;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_connect(t->ssl);
		if (r == 1)
			break;
		int err = SSL_get_error(t->ssl, r);
		int saved = errno;
		short ev;
		if (err == SSL_ERROR_WANT_READ) {
			ev = POLLIN;
		} else if (err == SSL_ERROR_WANT_WRITE) {
			ev = POLLOUT;
		} else if (t->verr != 0 && !ctx->insecure) {
			fill_verify(t, 0, chains, info);
			e = nk_fail(errmsg, NK_ERR_PEER_FAILED_VERIFICATION,
			            "certificate verification failed for %s: %s", who,
			            info->verify_reason);
			goto fail;
		} else {
			fill_verify(t, 0, chains, info);
			e = handshake_fail(who, err, saved, errmsg);
			/* The usual reason behind a bare "handshake failure". */
			if (t->cert_req && !SSL_get_certificate(t->ssl) && errmsg) {
				size_t l = strlen(errmsg);
				snprintf(errmsg + l, NK_ERR_MSG_LEN - l, " (the server "
				         "asked for a client certificate; none was given)");
			}
			goto fail;
		}
		struct pollfd p = { conn->fd, ev, 0 };
		int ms = nk_deadline_poll_ms(deadline);
		if (ms == 0) {
			fill_verify(t, 0, chains, info);
			e = nk_fail(errmsg, NK_ERR_OPERATION_TIMEDOUT,
			            "TLS handshake with %s timed out", who);
			goto fail;
		}
		if (poll(&p, 1, ms) < 0 && errno != EINTR) {
			e = nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR, "poll: %s",
			            strerror(errno));
			goto fail;
		}
	}
	info->handshake_us = nk_now() - t0;
	fill_session(t, info);
	fill_verify(t, 1, chains, info);
	fill_cert_request(t, info);
	if (ctx->ocsp) {
		check_staple(ctx, t->ssl, SSL_get_peer_cert_chain(t->ssl),
		             SSL_get0_verified_chain(t->ssl), info);
		if (info->ocsp == NK_OCSP_REVOKED) {
			if (info->verify_ok) {
				info->verify_ok = 0;
				info->verify_code = X509_V_ERR_CERT_REVOKED;
				info->verify_depth = 0;
				snprintf(info->verify_openssl, sizeof info->verify_openssl,
				         "%s", X509_verify_cert_error_string(
				         X509_V_ERR_CERT_REVOKED));
				snprintf(info->verify_reason, sizeof info->verify_reason,
				         "certificate is revoked (OCSP: revoked on %s)",
				         info->ocsp_revoked_at[0] ? info->ocsp_revoked_at
				                                  : "an unknown date");
			}
			if (!ctx->insecure) {
				e = nk_fail(errmsg, NK_ERR_PEER_FAILED_VERIFICATION,
				            "certificate verification failed for %s: %s",
				            who, info->verify_reason);
				goto fail;
			}
		}
	}
	if (!info->verify_ok && !ctx->insecure) {
		/* Only a resumed session can get here: its stored result. */
		e = nk_fail(errmsg, NK_ERR_PEER_FAILED_VERIFICATION,
		            "certificate verification failed for %s: %s", who,
		            info->verify_reason);
		goto fail;
	}
	if (ctx->npins > 0 && !pin_matches(ctx, SSL_get0_peer_certificate(t->ssl))) {
		e = nk_fail(errmsg, NK_ERR_SSL_PINNEDPUBKEYNOTMATCH,
		            "public key of %s does not match the pinned public key",
		            who);
		goto fail;
	}
	if (info == &dummy)
		nk_tls_info_clear(&dummy);
	ERR_clear_error();
	return NK_OK;
fail:
	if (!info->cert_requested)
		fill_cert_request(t, info);
	if (SSL_is_init_finished(t->ssl))
		drop_session(ctx, t);
	conn->ops = &nk_conn_plain_ops;
	conn->impl = NULL;
	tls_conn_free(t);
	if (info == &dummy)
		nk_tls_info_clear(&dummy);
	ERR_clear_error();
	return e;
}
