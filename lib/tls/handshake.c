/* tls handshake: nk_tls_start, which turns a plain conn into a TLS one:
 * the server's name for SNI and for the certificate check, a tls_conn on
 * the conn's socket, the handshake against the caller's deadline, then
 * the facts (info.c) and the checks made after it (a revoked staple, a
 * resumed session's stored result, the pins). On any failure the conn is
 * as it came. A conn that speaks TLS already (an HTTPS proxy's tunnel)
 * gets a second session inside the first: TLS inside TLS. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "nk/task.h"
#include "core/internal.h"
#include "tls/tls_int.h"

/* Whom the handshake is with. */
struct peer {
	char host[256];     /* the name for SNI and the certificate check */
	int ip;             /* host is an IP address */
	int port;           /* the far end's */
	char who[540];      /* for messages: the name, and the address */
	char key[NK_TLS_KEY_LEN];  /* "host:port", the session cache's key */
};

static int
is_ip_literal(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* The server's name (the conn's address when none is given) into *p. */
static nk_err
peer_name(const nk_conn *conn, const char *name, struct peer *p,
          char *errmsg)
{
	/* The name without brackets or a trailing dot: SNI and the
	 * certificate carry neither (RFC 6066 section 3). */
	if (!name || !*name)
		name = conn->peer_str;
	size_t nl = strlen(name);
	if (nl >= sizeof p->host)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "host name too long");
	if (name[0] == '[' && nl > 2 && name[nl - 1] == ']') {
		memcpy(p->host, name + 1, nl - 2);
		p->host[nl - 2] = '\0';
	} else {
		memcpy(p->host, name, nl + 1);
		if (nl > 1 && p->host[nl - 1] == '.')
			p->host[nl - 1] = '\0';
	}
	p->ip = is_ip_literal(p->host);
	/* Through a tunnel, the proxy is neither the name in messages nor
	 * the port in the cache key: host:443 and host:8443 are two
	 * servers, whatever proxy port carries them. */
	const char *far = nk_conn_far(conn, &p->port);
	if (strcmp(p->host, far) == 0)
		snprintf(p->who, sizeof p->who, "%s", p->host);
	else
		snprintf(p->who, sizeof p->who, "%s (%s)", p->host, far);
	snprintf(p->key, sizeof p->key, "%s:%d", p->host, p->port);
	return NK_OK;
}

/* The name to send (SNI) and to find in the certificate; an IP address
 * is only checked, as SNI carries no addresses. */
static nk_err
set_server_name(struct tls_conn *t, const struct peer *p, char *errmsg)
{
	const char *host = p->host;
	/* A leading dot would make OpenSSL accept any subdomain. */
	int ok = p->ip || (host[0] != '.' && host[0] != '\0' &&
	                   !strstr(host, ".."));
	if (ok) {
		X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
		X509_VERIFY_PARAM_set_hostflags(param,
		                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		                                X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		ok = p->ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
		           : X509_VERIFY_PARAM_set1_host(param, host, 0);
		if (ok && !p->ip)
			ok = SSL_set_tlsext_host_name(t->ssl, host);
	}
	if (ok)
		return NK_OK;
	ERR_clear_error();
	return nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	               "cannot use '%s' as a TLS server name", host);
}

static nk_err
verify_failed(const struct peer *p, const nk_tls_info *info, char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_PEER_FAILED_VERIFICATION,
	               "certificate verification failed for %s: %s", p->who,
	               info->verify_reason);
}

/* Message for a failed handshake: OpenSSL's reason, or the socket's. */
static nk_err
handshake_fail(const struct tls_conn *t, const struct peer *p, int err,
               int saved_errno, char *errmsg)
{
	const char *why;
	if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
		why = strerror(saved_errno);
	else if ((err == SSL_ERROR_SYSCALL) ||
	         (err == SSL_ERROR_SSL && nk_tls_unexpected_eof()))
		why = "the server closed the connection";
	else
		why = nk_tls_ossl_reason("unknown error");
	nk_err e = nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                   "TLS handshake with %s failed: %s", p->who, why);
	/* The usual reason behind a bare "handshake failure". */
	if (t->cert_req && !SSL_get_certificate(t->ssl) && errmsg) {
		size_t l = strlen(errmsg);
		snprintf(errmsg + l, NK_ERR_MSG_LEN - l, " (the server asked for "
		         "a client certificate; none was given)");
	}
	return e;
}

nk_err
nk_tls_drive(struct tls_conn *t, int (*step)(SSL *), nk_time deadline,
             int *ssl_err, int *saved_errno)
{
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r = step(t->ssl);
		if (r == 1)
			return NK_OK;
		int err = SSL_get_error(t->ssl, r);
		*ssl_err = err;
		*saved_errno = errno;
		short ev;
		if (err == SSL_ERROR_WANT_READ)
			ev = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			ev = POLLOUT;
		else
			return NK_ERR_SSL_CONNECT_ERROR;
		/* Bytes the outer session holds (TLS inside an HTTPS proxy's
		 * TLS): no poll() would announce them. */
		if (ev == POLLIN && nk_tls_bio_buffered(t) > 0)
			continue;
		struct pollfd pfd = { t->fd, ev, 0 };
		int ms = nk_deadline_poll_ms(deadline);
		if (ms == 0)
			return NK_ERR_OPERATION_TIMEDOUT;
		if (nk_task_poll(&pfd, 1, ms) < 0 && errno != EINTR) {
			*ssl_err = SSL_ERROR_SYSCALL;
			*saved_errno = errno;
			return NK_ERR_SSL_CONNECT_ERROR;
		}
	}
}

/* The client's handshake; what verification found so far goes into info
 * on every failure. */
static nk_err
handshake(struct tls_conn *t, const struct peer *p, nk_time deadline,
          int chains, nk_tls_info *info, char *errmsg)
{
	int err = 0, saved = 0;
	nk_err e = nk_tls_drive(t, SSL_connect, deadline, &err, &saved);
	if (e == NK_OK)
		return NK_OK;
	nk_tls_info_verify(t, 0, chains, info);
	if (e == NK_ERR_OPERATION_TIMEDOUT)
		return nk_fail(errmsg, e, "TLS handshake with %s timed out", p->who);
	if (t->verr != 0 && !t->ctx->insecure)
		return verify_failed(p, info, errmsg);
	return handshake_fail(t, p, err, saved, errmsg);
}

static int
pin_matches(const nk_tls_ctx *ctx, X509 *leaf)
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

/* The checks a finished handshake still has to pass, in this order: the
 * stapled OCSP response, the stored result of a resumed session (a full
 * handshake that failed verification has failed already), the pins. */
static nk_err
after_checks(nk_tls_ctx *ctx, struct tls_conn *t, const struct peer *p,
             nk_tls_info *info, char *errmsg)
{
	if (ctx->ocsp) {
		nk_tls_info_staple(ctx, t, info);
		if (info->ocsp == NK_OCSP_REVOKED && !ctx->insecure)
			return verify_failed(p, info, errmsg);
	}
	if (!info->verify_ok && !ctx->insecure)
		return verify_failed(p, info, errmsg);
	if (ctx->npins > 0 && !pin_matches(ctx, SSL_get0_peer_certificate(t->ssl)))
		return nk_fail(errmsg, NK_ERR_SSL_PINNEDPUBKEYNOTMATCH,
		               "public key of %s does not match the pinned public "
		               "key", p->who);
	return NK_OK;
}

/* The conn back as nk_tls_start found it (plain TCP, or the outer
 * session), and t gone; a session that failed a check after its
 * handshake is not offered again. */
static void
unwind(nk_conn *conn, struct tls_conn *t, nk_tls_info *info)
{
	if (!info->cert_requested)
		nk_tls_info_cert_request(t, info);
	if (SSL_is_init_finished(t->ssl))
		nk_tls_cache_drop(t->ctx, t);
	nk_conn *lower = t->lower;
	conn->ops = lower ? lower->ops : &nk_conn_plain_ops;
	conn->impl = lower ? lower->impl : NULL;
	t->lower = NULL;
	free(lower);
	nk_tls_conn_free(t);
}

/* For TLS inside TLS: the outer session moved to a conn of its own, which
 * t owns from now; conn is then free to take t's operations. */
static int
take_lower(nk_conn *conn, struct tls_conn *t)
{
	if (conn->ops == &nk_conn_plain_ops)
		return 1;
	nk_conn *lower = malloc(sizeof *lower);
	if (!lower)
		return 0;
	*lower = *conn;
	/* The splice pipe stays the conn's (it is never made for TLS). */
	lower->pipe[0] = lower->pipe[1] = -1;
	t->lower = lower;
	return 1;
}

nk_err
nk_tls_start(nk_tls_ctx *ctx, nk_conn *conn, const char *name,
             nk_time deadline, nk_tls_info *info, char *errmsg)
{
	nk_time t0 = nk_now();
	nk_tls_info dummy;
	int chains = info != NULL;
	info = nk_tls_info_begin(info, &dummy);
	if (!ctx || !conn || (conn->ops != &nk_conn_plain_ops &&
	                      conn->ops != &nk_tls_conn_ops))
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "TLS needs a plain or TLS connection");
	if (ctx->server)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "a server's TLS context cannot connect");

	struct peer p = { 0 };
	nk_err e = peer_name(conn, name, &p, errmsg);
	if (e != NK_OK)
		return e;
	struct tls_conn *t = nk_tls_conn_new(ctx, conn->fd, p.key);
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if ((e = set_server_name(t, &p, errmsg)) != NK_OK) {
		nk_tls_conn_free(t);
		return e;
	}
	if (!take_lower(conn, t)) {
		nk_tls_conn_free(t);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (ctx->ocsp)
		SSL_set_tlsext_status_type(t->ssl, TLSEXT_STATUSTYPE_ocsp);
	if (ctx->scts)
		nk_tls_sct_request(t);
	nk_tls_cache_resume(ctx, t);

	/* The conn speaks TLS from here: the handshake runs through the
	 * same operations the conn will use. */
	conn->impl = t;
	conn->ops = &nk_tls_conn_ops;
	e = handshake(t, &p, deadline, chains, info, errmsg);
	if (e == NK_OK) {
		info->handshake_us = nk_now() - t0;
		nk_tls_info_collect(t, chains, info);
		if (ctx->scts && chains)
			nk_tls_sct_collect(t, info);
		e = after_checks(ctx, t, &p, info, errmsg);
	}
	if (e != NK_OK)
		unwind(conn, t, info);
	if (info == &dummy)
		nk_tls_info_clear(&dummy);
	ERR_clear_error();
	return e;
}
