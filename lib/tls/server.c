/* tls server: nk_tls_accept, the server's side of a handshake on an
 * accepted plain conn (the context's server settings are context.c's):
 * the handshake itself (handshake.c drives it), what the client's
 * certificate turned out to be, and messages that speak of the client. On
 * any failure the conn is plain again, as it came. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "core/internal.h"
#include "tls/tls_int.h"
#include "tls/x509_int.h"

/* The client's chain with its leaf first: a server's peer chain leaves
 * the leaf out (SSL_get_peer_cert_chain(3)); should a version of OpenSSL
 * put it in, it is not doubled. */
static void
client_chain(struct tls_conn *t, nk_tls_info *info)
{
	X509 *leaf = SSL_get0_peer_certificate(t->ssl);
	STACK_OF(X509) *rest = SSL_get_peer_cert_chain(t->ssl);
	if (!leaf)
		return;
	STACK_OF(X509) *all = sk_X509_new_null();
	if (!all)
		return;
	/* The stack only lends the certificates to the copy below. */
	int has = rest && sk_X509_num(rest) > 0 &&
	          X509_cmp(sk_X509_value(rest, 0), leaf) == 0;
	int ok = has || sk_X509_push(all, leaf) > 0;
	for (int i = 0; ok && rest && i < sk_X509_num(rest); i++)
		ok = sk_X509_push(all, sk_X509_value(rest, i)) > 0;
	if (ok) {
		nk_x509_chain_free(info->sent);
		info->sent = nk_x509_chain_dup(all);
	}
	sk_X509_free(all);
	ERR_clear_error();
}

/* What the client's certificate came to, on success and on failure. */
static void
client_verdict(struct tls_conn *t, int done, int chains, nk_tls_info *info)
{
	nk_tls_info_verify(t, done, chains, info);
	if (chains)
		client_chain(t, info);
	/* verify.c's words are a client's about a server. */
	if (info->verify_code == X509_V_ERR_INVALID_PURPOSE)
		snprintf(info->verify_reason, sizeof info->verify_reason,
		         "certificate is not for TLS clients (no clientAuth in "
		         "its extended key usage)");
	/* No certificate is nothing verified, whatever OpenSSL's result
	 * (X509_V_OK when there was nothing to check). */
	if (!SSL_get0_peer_certificate(t->ssl) && t->verr == 0) {
		info->verify_ok = 0;
		info->verify_code = 0;
		info->verify_depth = -1;
	}
}

static nk_err
accept_fail(const char *who, int err, int saved_errno,
            char *errmsg)
{
	const char *why;
	unsigned long last = ERR_peek_last_error();
	if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
		why = strerror(saved_errno);
	else if (err == SSL_ERROR_SYSCALL ||
	         (err == SSL_ERROR_SSL && nk_tls_unexpected_eof()))
		why = "the client closed the connection";
	else if (ERR_GET_LIB(last) == ERR_LIB_SSL &&
	         ERR_GET_REASON(last) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		why = "the client sent no certificate, and one is required";
	else
		why = nk_tls_ossl_reason("unknown error");
	return nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	               "TLS handshake with %s failed: %s", who, why);
}

nk_err
nk_tls_accept(nk_tls_ctx *ctx, nk_conn *conn, nk_time deadline,
              nk_tls_info *info, char *errmsg)
{
	nk_time t0 = nk_now();
	nk_tls_info dummy;
	int chains = info != NULL;
	info = nk_tls_info_begin(info, &dummy);
	if (!ctx || !conn || conn->ops != &nk_conn_plain_ops || !ctx->server)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "TLS accept "
		               "needs a server's context and a plain connection");
	int port;
	const char *far = nk_conn_far(conn, &port);
	char who[300];
	snprintf(who, sizeof who, "%s port %d", far, port);

	struct tls_conn *t = nk_tls_conn_new(ctx, conn->fd, "");
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	conn->impl = t;
	conn->ops = &nk_tls_conn_ops;
	int err = 0, saved = 0;
	nk_err e = nk_tls_drive(t, SSL_accept, deadline, &err, &saved);
	client_verdict(t, e == NK_OK, chains, info);
	if (e == NK_OK) {
		info->handshake_us = nk_now() - t0;
		nk_tls_info_session(t, info);
	} else if (e == NK_ERR_OPERATION_TIMEDOUT) {
		nk_fail(errmsg, e, "TLS handshake with %s timed out", who);
	} else if (t->verr != 0 && !ctx->insecure) {
		e = nk_fail(errmsg, NK_ERR_PEER_FAILED_VERIFICATION,
		            "client certificate verification failed for %s: %s",
		            who, info->verify_reason);
	} else {
		e = accept_fail(who, err, saved, errmsg);
	}
	if (e != NK_OK) {
		conn->ops = &nk_conn_plain_ops;
		conn->impl = NULL;
		nk_tls_conn_free(t);
	}
	if (info == &dummy)
		nk_tls_info_clear(&dummy);
	ERR_clear_error();
	return e;
}
