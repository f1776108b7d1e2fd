/* libnk tlsprobe: one TLS ClientHello of a chosen shape, to learn what a
 * server accepts (nk tls --probe).
 *
 * A probe is a handshake that offers exactly what the caller says (one
 * version, a cipher list with some suites left out, one group, one
 * signature algorithm, an ALPN list, SNI or none, a session to resume) and
 * reports what the server chose. It never verifies the certificate and the
 * connection is not usable afterwards: a probe asks, it does not talk. To
 * offer TLS 1.0 and 1.1 at all, each probe runs at OpenSSL security level
 * 0 with the legacy versions enabled on its own SSL, whatever the context
 * and openssl.cnf say; SSLv2 and SSLv3 are not in this OpenSSL and cannot
 * be offered. */
#ifndef NK_TLSPROBE_H
#define NK_TLSPROBE_H

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"
#include "nk/conn.h"
#include "nk/tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The versions a probe can offer, as on the wire (with NK_TLS_1_2 and
 * NK_TLS_1_3 of nk/tls.h). */
#define NK_TLS_1_0 0x0301
#define NK_TLS_1_1 0x0302

/* A saved session, to offer again (resumption). */
typedef struct nk_tls_session nk_tls_session;

/* What one probe offers. Zero in every field: TLS 1.0 to 1.3, every cipher
 * suite this OpenSSL has, its default groups and signature algorithms, no
 * ALPN, SNI with the name, no status_request, session tickets asked for. */
typedef struct nk_tls_offer {
	int version;              /* exactly this version (NK_TLS_1_0 ...
	                           * NK_TLS_1_3); 0: 1.0 to 1.3 */
	const char *ciphers;      /* TLS 1.0-1.2 suites, OpenSSL's names,
	                           * colon-separated, in this order; NULL: all */
	const char *ciphersuites; /* TLS 1.3 suites, colon-separated; NULL:
	                           * all five of RFC 8446 */
	const char *const *exclude; /* suites (OpenSSL names) taken out of the
	                           * lists above; nexclude of them */
	size_t nexclude;
	const char *groups;       /* "X25519:P-256"; NULL: OpenSSL's default */
	const char *sigalgs;      /* "rsa_pss_rsae_sha256:ed25519"; NULL:
	                           * OpenSSL's default */
	const char *alpn;         /* "h2,http/1.1"; NULL: no ALPN */
	int no_sni;               /* send no server_name */
	int status_request;       /* ask for a stapled OCSP response */
	int no_ticket;            /* ask for no session ticket (TLS 1.2: a
	                           * resumable session is then a session ID) */
	const nk_tls_session *resume; /* offer this session; NULL: none */
	int want_session;         /* keep the session in the result; for TLS
	                           * 1.3 wait up to 300 ms after the handshake
	                           * for the server's NewSessionTicket */
} nk_tls_offer;

/* What the server chose. */
typedef struct nk_tls_hello {
	int version;              /* on the wire: 0x0303 */
	char version_name[16];    /* "TLSv1.2" */
	char cipher[80];          /* IANA name */
	char cipher_openssl[64];  /* OpenSSL's name */
	char group[32];           /* "X25519", "P-256", "DH 2048"; "" none */
	char alpn[64];            /* the protocol chosen; "" none */
	int resumed;              /* the offered session was resumed */
	int stapled;              /* an OCSP response was stapled */
	int secure_renegotiation; /* RFC 5746 (always 1 for TLS 1.3) */
	int ticket;               /* the session came with a ticket */
	char subject[256];        /* the leaf's subject, RFC 2253 ("CN=a, O=b"),
	                           * made terminal-safe as nk_x509 does */
	unsigned char leaf_sha256[32]; /* SHA-256 of the leaf (DER) */
	nk_tls_session *session;  /* with want_session: the session, to
	                           * resume; NULL when the server gave none
	                           * that can be resumed */
} nk_tls_hello;

/* Offers o on the plain, connected conn (after any STARTTLS dialogue)
 * with `name` as SNI (none for an IP literal, NULL, or o->no_sni), and
 * waits for the handshake to finish or fail or the deadline to pass (and
 * with want_session for a TLS 1.3 ticket, see above). ctx gives the BIO and the client
 * certificate, if any; its versions, trust and session cache are not
 * used. The conn stays plain and cannot be used for anything else
 * afterwards: free it.
 *
 * out is overwritten; on success the caller releases it with
 * nk_tls_hello_clear. Errors: NK_ERR_SSL_CONNECT_ERROR (the server refused
 * the offer: an alert, or it closed the connection; errmsg has OpenSSL's
 * reason), NK_ERR_SSL_CIPHER (the offer is empty or unknown to OpenSSL: a
 * list with no suite left, a group or signature algorithm OpenSSL does not
 * know), NK_ERR_OPERATION_TIMEDOUT, NK_ERR_BAD_FUNCTION_ARGUMENT (not a
 * plain conn, a version out of range), NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_tls_probe(nk_tls_ctx *ctx, nk_conn *conn, const char *name,
                           const nk_tls_offer *o, nk_time deadline,
                           nk_tls_hello *out, char *errmsg);

/* Frees the session in h and zeroes it. NULL-safe. */
NK_API void nk_tls_hello_clear(nk_tls_hello *h);

#ifdef __cplusplus
}
#endif

#endif
