/* tls conn_ops: the TLS transport under nk_conn. A struct tls_conn is
 * made here, and its operations (read, write, shutdown, pending, free)
 * are what a conn runs once nk_tls_start has swapped them in for the plain
 * ones; the blocking calls with deadlines come from conn.c on top. An
 * error is sticky (tls_int.h): the message of the first one is kept and
 * given again. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/internal.h"
#include "tls/tls_int.h"

struct tls_conn *
nk_tls_conn_new(nk_tls_ctx *ctx, int fd, const char *key)
{
	struct tls_conn *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ctx = ctx;
	nk_tls_ctx_ref(ctx);
	t->fd = fd;
	snprintf(t->key, sizeof t->key, "%s", key);
	ERR_clear_error();
	t->ssl = SSL_new(ctx->ssl);
	BIO *bio = BIO_new(ctx->bio_meth);
	if (!t->ssl || !bio) {
		BIO_free(bio);
		nk_tls_conn_free(t);
		ERR_clear_error();
		return NULL;
	}
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_app_data(t->ssl, t);
	return t;
}

void
nk_tls_conn_free(struct tls_conn *t)
{
	if (!t)
		return;
	/* SSL_free may still call back (session callbacks), so the context
	 * goes last. */
	SSL_free(t->ssl);
	if (t->lower) {
		/* The outer session goes after the inner one's goodbye; the
		 * socket is the nk_conn's, closed by conn.c. */
		t->lower->ops->free(t->lower);
		free(t->lower);
	}
	free(t->rbuf);
	X509_free(t->vcert);
	sk_X509_pop_free(t->vchain, X509_free);
	sk_X509_pop_free(t->sent, X509_free);
	nk_tls_ctx_unref(t->ctx);
	free(t);
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
		         nk_tls_ossl_reason("connection lost"));
	ERR_clear_error();
	t->dead = e;
	t->fatal |= ssl_err == SSL_ERROR_SSL || ssl_err == SSL_ERROR_SYSCALL;
	/* A session whose connection died of an error is not offered again
	 * (OpenSSL forgets it itself only when it sent an alert). */
	nk_tls_cache_drop(t->ctx, t);
	return nk_fail(errmsg, e, "%s", t->dead_msg);
}

/* What OpenSSL's err asks to wait for, as NK_WANT_*; 0 for an error. */
static int
want_of(int err)
{
	if (err == SSL_ERROR_WANT_READ)
		return NK_WANT_READ;
	if (err == SSL_ERROR_WANT_WRITE)
		return NK_WANT_WRITE;
	return 0;
}

/* An EOF among OpenSSL's errors: a close_notify, or a TCP FIN without
 * one, which is an EOF for the tools too, remembered for those that must
 * call it truncation (and OpenSSL allows no SSL_shutdown after it).
 * Marks t and returns 1; 0 for any other error. */
static int
note_eof(struct tls_conn *t, int err)
{
	if (err == SSL_ERROR_ZERO_RETURN) {
		t->eof = 1;
		return 1;
	}
	if ((err == SSL_ERROR_SSL && nk_tls_unexpected_eof()) ||
	    (err == SSL_ERROR_SYSCALL && errno == 0)) {
		ERR_clear_error();
		t->eof = 1;
		t->unclean = 1;
		t->fatal = 1;
		return 1;
	}
	return 0;
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
			    (!SSL_has_pending(t->ssl) && nk_tls_bio_buffered(t) == 0))
				break;
			continue;
		}
		int err = SSL_get_error(t->ssl, 0);
		int w = want_of(err);
		if (w) {
			if (total == 0)
				*want = w;
			break;
		}
		if (note_eof(t, err)) {
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

/* After a write or a close_notify that did not go: wait for what OpenSSL
 * asks, or die of the error (a silent socket error is a broken pipe). */
static nk_err
send_failed(nk_conn *c, struct tls_conn *t, int err, const char *verb,
            int *want, char *errmsg)
{
	if ((*want = want_of(err)) != 0)
		return NK_OK;
	if (err == SSL_ERROR_SYSCALL && errno == 0)
		errno = EPIPE;
	return set_dead(c, t, NK_ERR_SEND_ERROR, verb, err, errmsg);
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
	return send_failed(c, t, SSL_get_error(t->ssl, 0), "sending to", want,
	                   errmsg);
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
		if (r < 0)
			return send_failed(c, t, SSL_get_error(t->ssl, r), "closing to",
			                   want, errmsg);
		t->close_sent = 1;
	}
	if (t->lower)   /* then the outer session's close_notify and FIN */
		return t->lower->ops->shutdown(t->lower, want, errmsg);
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
	if (!SSL_has_pending(t->ssl) && nk_tls_bio_buffered(t) == 0)
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
	if (want_of(err)) {
		ERR_clear_error();
		return 0;
	}
	if (!note_eof(t, err)) {
		/* The const conn is only read; the TLS state it points to is
		 * the transport's to update. */
		nk_conn *mc = (nk_conn *)(uintptr_t)c;
		set_dead(mc, t, NK_ERR_RECV_ERROR, "reading from", err, NULL);
	}
	ERR_clear_error();
	return 1;
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
	nk_tls_conn_free(c->impl);
	c->impl = NULL;
}

const struct nk_conn_ops nk_tls_conn_ops = {
	tls_read, tls_write, tls_shutdown, tls_pending, tls_free,
};

int
nk_tls_conn_is_tls(const nk_conn *c)
{
	return c && c->ops == &nk_tls_conn_ops;
}

int
nk_tls_conn_unclean_eof(const nk_conn *c)
{
	if (!nk_tls_conn_is_tls(c))
		return 0;
	const struct tls_conn *t = c->impl;
	return t->unclean;
}
