/* tls probe: nk_tls_probe, one ClientHello of the caller's shape on a
 * tls_conn of its own (the context's BIO), the handshake, what the server
 * chose, and the tls_conn gone again; the conn is never switched to TLS.
 * Each probe sets its versions, security level and lists on its SSL, not
 * on the shared SSL_CTX, so probes of one context run in parallel. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "core/internal.h"
#include "nk/tlsprobe.h"
#include "tls/tls_int.h"
#include "tls/x509_int.h"

/* How long a TLS 1.3 server's NewSessionTicket is waited for: it follows
 * the client's Finished by one round trip, milliseconds on any network a
 * probe makes sense on; a server that sends none costs this much. */
#define TICKET_WAIT_MS 300

/* The TLS 1.3 suites of RFC 8446 appendix B.4, all OpenSSL has. */
static const char tls13_all[] = "TLS_AES_128_GCM_SHA256:"
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
	"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

static int
excluded(const nk_tls_offer *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->nexclude; i++)
		if (strlen(o->exclude[i]) == len &&
		    memcmp(o->exclude[i], name, len) == 0)
			return 1;
	return 0;
}

/* The TLS 1.2 cipher string: the list, "!NAME" for each excluded suite
 * (OpenSSL's syntax for "never, whatever comes later") and security level
 * 0, which legacy versions and suites need. NULL out of memory. */
static char *
cipher_string(const nk_tls_offer *o)
{
	const char *base = o->ciphers ? o->ciphers : "ALL:COMPLEMENTOFALL";
	size_t len = strlen(base) + 16;
	for (size_t i = 0; i < o->nexclude; i++)
		len += strlen(o->exclude[i]) + 2;
	char *s = malloc(len);
	if (!s)
		return NULL;
	size_t n = (size_t)snprintf(s, len, "%s", base);
	for (size_t i = 0; i < o->nexclude; i++)
		n += (size_t)snprintf(s + n, len - n, ":!%s", o->exclude[i]);
	snprintf(s + n, len - n, ":@SECLEVEL=0");
	return s;
}

/* The TLS 1.3 list without the excluded suites (SSL_set_ciphersuites has
 * no "!"); "" when none is left. NULL out of memory. */
static char *
suites_string(const nk_tls_offer *o)
{
	const char *base = o->ciphersuites ? o->ciphersuites : tls13_all;
	char *s = malloc(strlen(base) + 1);
	if (!s)
		return NULL;
	size_t n = 0;
	for (const char *p = base; *p;) {
		const char *end = strchr(p, ':');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l > 0 && !excluded(o, p, l)) {
			if (n > 0)
				s[n++] = ':';
			memcpy(s + n, p, l);
			n += l;
		}
		p += l + (end != NULL);
	}
	s[n] = '\0';
	return s;
}

static int
is_ip(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static nk_err
offer_fail(const char *what, const char *value, char *errmsg)
{
	ERR_clear_error();
	return nk_fail(errmsg, NK_ERR_SSL_CIPHER, "this OpenSSL cannot offer "
	               "%s '%s'", what, value);
}

/* The suites of the offer onto the SSL. Which list matters depends on the
 * versions: an empty TLS 1.2 list is fine for a TLS 1.3 probe. */
static nk_err
set_suites(SSL *ssl, const nk_tls_offer *o, char *errmsg)
{
	char *cs = cipher_string(o), *ts = suites_string(o);
	nk_err e = NK_OK;
	if (!cs || !ts) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	} else {
		int old_ok = SSL_set_cipher_list(ssl, cs) == 1;
		int new_ok = SSL_set_ciphersuites(ssl, ts) == 1 && *ts;
		if (o->version == NK_TLS_1_3 ? !new_ok :
		    o->version ? !old_ok : !old_ok && !new_ok)
			e = nk_fail(errmsg, NK_ERR_SSL_CIPHER, "no cipher suite "
			            "left to offer");
		/* A list with nothing left leaves the context's in place:
		 * the versions it is for are not offered instead. */
		if (!old_ok)
			SSL_set_min_proto_version(ssl, TLS1_3_VERSION);
		if (!new_ok) {
			SSL_set_ciphersuites(ssl, "");
			SSL_set_max_proto_version(ssl, TLS1_2_VERSION);
		}
	}
	ERR_clear_error();
	free(cs);
	free(ts);
	return e;
}

/* Everything of the offer onto t's SSL. */
static nk_err
shape(struct tls_conn *t, const char *name, const nk_tls_offer *o,
      char *errmsg)
{
	SSL *ssl = t->ssl;
	if (o->version && (o->version < NK_TLS_1_0 || o->version > NK_TLS_1_3))
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "no such TLS version 0x%04x", o->version);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_security_level(ssl, 0);
	SSL_set_min_proto_version(ssl, o->version ? o->version : TLS1_VERSION);
	SSL_set_max_proto_version(ssl, o->version ? o->version
	                                          : TLS1_3_VERSION);
	/* Without it OpenSSL 3 hangs up on a server that lacks RFC 5746,
	 * and the probe could not say so. */
	SSL_set_options(ssl, SSL_OP_LEGACY_SERVER_CONNECT);
	if (o->no_ticket)
		SSL_set_options(ssl, SSL_OP_NO_TICKET);
	nk_err e = set_suites(ssl, o, errmsg);
	if (e)
		return e;
	if (o->groups && SSL_set1_groups_list(ssl, o->groups) != 1)
		return offer_fail("the group", o->groups, errmsg);
	if (o->sigalgs && SSL_set1_sigalgs_list(ssl, o->sigalgs) != 1)
		return offer_fail("the signature algorithm", o->sigalgs, errmsg);
	if (o->alpn) {
		unsigned char wire[512];
		size_t wl;
		if (nk_tls_alpn_wire(o->alpn, wire, sizeof wire, &wl) != 0 ||
		    SSL_set_alpn_protos(ssl, wire, (unsigned int)wl) != 0)
			return offer_fail("the ALPN list", o->alpn, errmsg);
	}
	if (o->status_request)
		SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
	if (!o->no_sni && name && *name && !is_ip(name) &&
	    !SSL_set_tlsext_host_name(ssl, name))
		return offer_fail("the server name", name, errmsg);
	if (o->resume && !SSL_set_session(ssl, (SSL_SESSION *)o->resume))
		return offer_fail("the session", "saved", errmsg);
	ERR_clear_error();
	return NK_OK;
}

/* Waits for the socket to be ready for what OpenSSL asked; 0 when it is,
 * -1 at the deadline. */
static int
await(const struct tls_conn *t, int err, nk_time deadline)
{
	struct pollfd pfd = { t->fd, err == SSL_ERROR_WANT_WRITE ? POLLOUT
	                                                        : POLLIN, 0 };
	int ms = nk_deadline_poll_ms(deadline);
	if (ms == 0)
		return -1;
	if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
		return -1;
	return 0;
}

static nk_err
run_handshake(struct tls_conn *t, nk_time deadline, char *errmsg)
{
	int err = 0, saved = 0;
	nk_err d = nk_tls_drive(t, SSL_connect, deadline, &err, &saved);
	if (d == NK_OK)
		return NK_OK;
	if (d == NK_ERR_OPERATION_TIMEDOUT)
		return nk_fail(errmsg, d, "TLS handshake timed out");
	const char *why = err == SSL_ERROR_SYSCALL && saved
	                  ? strerror(saved)
	                  : err == SSL_ERROR_SYSCALL || nk_tls_unexpected_eof()
	                  ? "the server closed the connection"
	                  : nk_tls_ossl_reason("refused");
	nk_err e = nk_fail(errmsg, NK_ERR_SSL_CONNECT_ERROR, "%s", why);
	ERR_clear_error();
	return e;
}

/* TLS 1.3 sends its tickets after the handshake: reads (and drops any
 * data) until the session can be resumed, the server stops, or the
 * ticket's time is up. */
static void
await_ticket(struct tls_conn *t, nk_time deadline)
{
	nk_time until = nk_deadline_min(deadline,
	                                nk_deadline_in_ms(TICKET_WAIT_MS));
	char buf[512];
	while (!SSL_SESSION_is_resumable(SSL_get0_session(t->ssl))) {
		ERR_clear_error();
		int r = SSL_read(t->ssl, buf, sizeof buf);
		if (r > 0)
			continue;
		int err = SSL_get_error(t->ssl, r);
		if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
		    await(t, err, until) != 0)
			break;
	}
	ERR_clear_error();
}

/* What the server chose, into h. */
static void
collect(struct tls_conn *t, const nk_tls_offer *o, nk_time deadline,
        nk_tls_hello *h)
{
	SSL *ssl = t->ssl;
	nk_tls_info in;
	memset(&in, 0, sizeof in);
	nk_tls_info_collect(t, 0, &in);
	static const char *const names[] = {
		"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3",
	};
	h->version = SSL_version(ssl);
	/* OpenSSL says "TLSv1" for 1.0; a probe's table wants all alike. */
	snprintf(h->version_name, sizeof h->version_name, "%s",
	         h->version >= NK_TLS_1_0 && h->version <= NK_TLS_1_3
	         ? names[h->version - NK_TLS_1_0] : in.version);
	snprintf(h->cipher, sizeof h->cipher, "%s", in.cipher);
	snprintf(h->cipher_openssl, sizeof h->cipher_openssl, "%s",
	         in.cipher_openssl);
	snprintf(h->group, sizeof h->group, "%s", in.group);
	snprintf(h->alpn, sizeof h->alpn, "%s", in.alpn);
	nk_tls_info_clear(&in);
	h->resumed = SSL_session_reused(ssl);
	const unsigned char *resp = NULL;
	h->stapled = o->status_request &&
	             SSL_get_tlsext_status_ocsp_resp(ssl, &resp) > 0;
	h->secure_renegotiation = h->version >= TLS1_3_VERSION ||
	                          SSL_get_secure_renegotiation_support(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	if (leaf) {
		unsigned int mdlen = 0;
		nk_x509_name_text(X509_get_subject_name(leaf), h->subject,
		                  sizeof h->subject);
		X509_digest(leaf, EVP_sha256(), h->leaf_sha256, &mdlen);
	}
	if (o->want_session) {
		if (h->version >= TLS1_3_VERSION)
			await_ticket(t, deadline);
		SSL_SESSION *s = SSL_get1_session(ssl);
		if (s && SSL_SESSION_is_resumable(s)) {
			h->ticket = SSL_SESSION_has_ticket(s);
			h->session = (nk_tls_session *)s;
		} else {
			SSL_SESSION_free(s);
		}
	}
	ERR_clear_error();
}

nk_err
nk_tls_probe(nk_tls_ctx *ctx, nk_conn *conn, const char *name,
             const nk_tls_offer *o, nk_time deadline, nk_tls_hello *out,
             char *errmsg)
{
	static const nk_tls_offer none;
	memset(out, 0, sizeof *out);
	if (!o)
		o = &none;
	if (!ctx || !conn || conn->ops != &nk_conn_plain_ops)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "a probe needs a plain connection");
	struct tls_conn *t = nk_tls_conn_new(ctx, conn->fd, "");
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	nk_err e = shape(t, name, o, errmsg);
	if (!e)
		e = run_handshake(t, deadline, errmsg);
	if (!e) {
		collect(t, o, deadline, out);
		/* OpenSSL marks the session of a connection freed without
		 * close_notify as not resumable: say goodbye, or at least
		 * pretend to. */
		if (SSL_shutdown(t->ssl) < 0)
			SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN);
	}
	nk_tls_conn_free(t);
	ERR_clear_error();
	return e;
}

void
nk_tls_hello_clear(nk_tls_hello *h)
{
	if (!h)
		return;
	SSL_SESSION_free((SSL_SESSION *)h->session);
	memset(h, 0, sizeof *h);
}
