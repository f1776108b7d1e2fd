/* libnk tls: TLS over an nk_conn, with OpenSSL 3.
 *
 * A tool fills a plain nk_tls_config, makes one nk_tls_ctx from it (trust
 * store, client certificate, versions, ALPN, session cache), and upgrades
 * connected plain conns in place with nk_tls_start: afterwards the same
 * nk_conn reads, writes and half-closes through TLS, so the rest of the
 * tool does not care.
 *
 * The library never reads the environment: the tool passes the system
 * trust store locations (SSL_CERT_FILE / SSL_CERT_DIR) in the config. */
#ifndef NK_TLS_H
#define NK_TLS_H

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"
#include "nk/conn.h"
#include "nk/net.h"
#include "nk/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_tls_ctx nk_tls_ctx;

/* Protocol versions, as on the wire. */
#define NK_TLS_1_2 0x0303
#define NK_TLS_1_3 0x0304

/* What a tool asks for. Zero (or NULL) in every field gives the defaults:
 * verify against the system store, TLS 1.2 or later, no ALPN, no client
 * certificate, sessions cached. nk_tls_ctx_new copies what it needs; the
 * strings need not outlive the call. */
typedef struct nk_tls_config {
	const char *cafile;         /* --cacert: PEM file of trust anchors,
	                             * loaded at once; replaces the defaults */
	const char *capath;         /* --capath: hashed directory (c_rehash),
	                             * looked up on demand; replaces the defaults */
	const char *default_cafile; /* the system store used when neither is
	                             * set: SSL_CERT_FILE (loaded at once), */
	const char *default_capath; /* SSL_CERT_DIR (on demand); when both are
	                             * NULL, OpenSSL's built-in certificate
	                             * directory (/usr/lib/ssl/certs), on demand */
	int insecure;               /* -k: complete the handshake whatever the
	                             * verification says (still recorded) */
	int min_version;            /* NK_TLS_1_2 (default) or NK_TLS_1_3 */
	int max_version;            /* 0: the highest OpenSSL supports */
	const char *alpn;           /* comma-separated: "h2,http/1.1"; NULL none */
	const char *cert;           /* --cert: PEM client certificate (chain) */
	const char *key;            /* --key: PEM private key; NULL: in cert */
	const char *key_password;   /* for an encrypted key; NULL: never prompt */
	const char *pinned_pubkey;  /* "sha256//BASE64[;sha256//BASE64...]":
	                             * the leaf's key must match one of them */
	const char *ciphers;        /* TLS 1.2 cipher list in OpenSSL's syntax
	                             * ("ECDHE+AESGCM:!SHA1"); NULL: OpenSSL's
	                             * (the system policy's) default */
	const char *tls13_ciphers;  /* TLS 1.3 suites, ':'-separated
	                             * ("TLS_AES_128_GCM_SHA256"); NULL: the
	                             * default */
	const char *crlfile;        /* PEM CRLs (curl's --crlfile): every
	                             * certificate of the chain but the
	                             * anchor is checked against its issuer's
	                             * CRL, and one without is a failure */
	int ocsp;                   /* ask the server to staple an OCSP response
	                             * (status_request) and check it */
	int no_session_cache;       /* never resume sessions */
	int server;                 /* a server's context, for nk_tls_accept:
	                             * cert (and key) are the server's own and
	                             * required; cafile or capath, when set,
	                             * name the CAs a client certificate must
	                             * come from, and one is then required
	                             * (insecure: asked for, not required, not
	                             * checked); neither set, none is asked
	                             * for. The default_* stores are not used;
	                             * alpn, pinned_pubkey and ocsp are
	                             * refused (NK_ERR_FAILED_INIT). */
	int scts;                   /* ask for Signed Certificate Timestamps
	                             * in the handshake (signed_certificate_
	                             * timestamp, which also asks for a staple)
	                             * and report every SCT (nk_tls_info.scts);
	                             * they are not validated: no CT log list */
} nk_tls_config;

/* Makes a context (a server's with cfg->server; a server with no cert
 * is NK_ERR_SSL_CERTPROBLEM). Errors: NK_ERR_SSL_CACERT_BADFILE (77: a CA file or
 * directory that cannot be used), NK_ERR_SSL_CERTPROBLEM (58: client
 * certificate or key unreadable or not matching), NK_ERR_SSL_CIPHER (59:
 * a cipher list of which OpenSSL knows no cipher), NK_ERR_SSL_CRL_BADFILE
 * (82: a CRL file that holds no CRL), NK_ERR_FAILED_INIT (bad
 * version range, ALPN list or pin syntax; OpenSSL that cannot initialise,
 * as with a broken openssl.cnf), NK_ERR_OUT_OF_MEMORY.
 * Free with nk_tls_ctx_free. A context may be shared by connections made
 * one after another or from several threads (its session cache locks).
 * If OpenSSL was not initialised yet, the first call does it without
 * OpenSSL's clean-up at exit (OPENSSL_INIT_NO_ATEXIT): a program that
 * wants OpenSSL's memory freed calls OPENSSL_cleanup() itself. Where
 * OpenSSL is linked in statically, its error texts (loaded at the first
 * failure libnk words) and its legacy table of cipher names (filled only
 * with what PEM keys name) are left out too: a program that uses either
 * itself initialises OpenSSL first, with OPENSSL_init_ssl() and
 * OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_LOAD_SSL_STRINGS
 * (nk_tls(3)). */
NK_API nk_err nk_tls_ctx_new(const nk_tls_config *cfg, nk_tls_ctx **out,
                             char *errmsg);

/* Releases the caller's context. Connections started from it keep
 * working: each holds a reference, and the last one frees it. NULL is a
 * no-op. */
NK_API void nk_tls_ctx_free(nk_tls_ctx *ctx);

/* The stapled OCSP response, when one was asked for. */
typedef enum nk_ocsp_status {
	NK_OCSP_NONE = 0,       /* not asked for, or the server stapled none */
	NK_OCSP_GOOD,
	NK_OCSP_REVOKED,
	NK_OCSP_UNKNOWN,        /* the responder does not know the certificate */
	NK_OCSP_INVALID,        /* unparsable, not about this certificate, or
	                         * its signature does not verify */
} nk_ocsp_status;

/* One Signed Certificate Timestamp (RFC 6962) the server showed. */
#define NK_SCT_CERTIFICATE 1    /* embedded in the leaf (X.509 extension) */
#define NK_SCT_HANDSHAKE   2    /* in the TLS extension */
#define NK_SCT_OCSP        3    /* in the stapled OCSP response */
struct nk_sct {
	int source;                /* NK_SCT_* */
	int version;               /* 1 for RFC 6962's v1 */
	char log_id[65];           /* the log's key hash, lower-case hex */
	int64_t timestamp_ms;      /* milliseconds since the epoch */
	char time[32];             /* "2024-01-01 00:00:00 UTC" */
};

/* What a handshake established and what verification found. Filled by
 * nk_tls_start as far as the handshake got, on success and on failure;
 * the caller owns the chains and releases them with nk_tls_info_clear. */
typedef struct nk_tls_info {
	char version[16];          /* "TLSv1.3" */
	char cipher[80];           /* IANA name: "TLS_AES_128_GCM_SHA256" */
	char cipher_openssl[64];   /* OpenSSL's name: "ECDHE-RSA-AES128-GCM-SHA256" */
	char group[32];            /* key exchange: "X25519", "P-256"; "" if none */
	char alpn[64];             /* protocol the server chose; "" if none */
	nk_time handshake_us;      /* from nk_tls_start to the end of the handshake */
	int resumed;               /* a cached session was resumed */

	nk_ocsp_status ocsp;
	char ocsp_this_update[32]; /* "2024-01-01 00:00:00 UTC", "" if none */
	char ocsp_next_update[32];
	char ocsp_revoked_at[32];  /* for NK_OCSP_REVOKED */

	struct nk_sct *scts;       /* with nk_tls_config.scts: every SCT seen,
	                            * nscts of them (owned, freed by
	                            * nk_tls_info_clear) */
	size_t nscts;

	int verify_ok;             /* the chain verified for the name, and no
	                            * stapled response says revoked */
	long verify_code;          /* OpenSSL's X509_V_ERR_* of the first
	                            * failure; 0 when verified */
	int verify_depth;          /* its position in the verified chain (0 =
	                            * leaf); -1 when verified */
	char verify_reason[NK_ERR_MSG_LEN]; /* plain words: "certificate has
	                            * expired (on 2024-01-01 00:00:00 UTC)" */
	char verify_openssl[128];  /* OpenSSL's own text for verify_code */

	nk_x509_chain *sent;       /* the chain as the server sent it, or NULL */
	nk_x509_chain *verified;   /* the path OpenSSL built from the leaf
	                            * towards a trust anchor (complete when
	                            * verify_ok), or NULL */

	int cert_requested;        /* the server asked for a client certificate */
	int cert_sent;             /* ... and got one (nk_tls_config.cert) */
	char **cert_cas;           /* the issuers it named as acceptable
	                            * ("CN=Root, O=Org"), ncert_cas of them; a
	                            * server may name none */
	size_t ncert_cas;
} nk_tls_info;

/* Upgrades the connected conn to TLS in place: SNI with `name`
 * (not for an IP literal), verification of the chain and of `name` (a host
 * name against DNS SANs with wildcard rules, an IP literal, with or
 * without brackets, against IP SANs; subject CNs are never used), then the
 * handshake, blocking until it ends or the deadline passes. NULL name:
 * verify the peer's IP address, send no SNI. Sessions are resumed from
 * the context's cache by name and port (a tunnel's target port, not the
 * proxy's). A conn that speaks TLS already (to an HTTPS proxy, through
 * whose CONNECT tunnel it now reaches `name`) gets a second session inside
 * the first; the conn then owns both, and nk_conn_free ends both.
 *
 * info (may be NULL) is overwritten, then filled as far as the handshake
 * got, also on failure; release it with nk_tls_info_clear.
 *
 * Errors: NK_ERR_SSL_CONNECT_ERROR (35: handshake failed, with OpenSSL's
 * reason; or a name that is no host name, such as ".example.com", which
 * OpenSSL would take as "any subdomain"), NK_ERR_PEER_FAILED_VERIFICATION (60: not with insecure; the
 * message and info->verify_reason say why in plain words),
 * NK_ERR_SSL_PINNEDPUBKEYNOTMATCH (90), NK_ERR_OPERATION_TIMEDOUT (28),
 * NK_ERR_OUT_OF_MEMORY. After a failure the conn is as it came (plain,
 * or the outer session) but its stream is unusable: free it. */
NK_API nk_err nk_tls_start(nk_tls_ctx *ctx, nk_conn *conn, const char *name,
                           nk_time deadline, nk_tls_info *info,
                           char *errmsg);

/* The server's side of nk_tls_start: runs the TLS handshake on the
 * accepted plain conn with a context made with cfg->server, blocking until
 * it ends or the deadline passes. When the context names client CAs, the
 * client must present a certificate that verifies against them (a chain
 * to one of those roots, allowed for client authentication); no name is
 * checked. No SNI is needed and none is checked; no session is resumed.
 *
 * info (may be NULL) is overwritten, then filled as far as the handshake
 * got, also on failure; release it with nk_tls_info_clear. For a server,
 * sent is the client's chain (leaf first; NULL when it sent none),
 * verified the path built from it, and verify_ok says the client's
 * certificate verified (0 when none was asked for or sent); the
 * cert_requested fields stay 0.
 *
 * Errors: NK_ERR_BAD_FUNCTION_ARGUMENT (a client context, or a conn that
 * is not plain), NK_ERR_PEER_FAILED_VERIFICATION (60: the client's
 * certificate did not verify; the message and info->verify_reason say
 * why), NK_ERR_SSL_CONNECT_ERROR (35: the handshake failed, with the
 * reason: among them "the client sent no certificate, and one is
 * required"), NK_ERR_OPERATION_TIMEDOUT (28), NK_ERR_OUT_OF_MEMORY. After
 * a failure the conn is plain again but its stream is unusable: free it. */
NK_API nk_err nk_tls_accept(nk_tls_ctx *ctx, nk_conn *conn, nk_time deadline,
                            nk_tls_info *info, char *errmsg);

/* nk_connect_via (nk/net.h: directly, through a SOCKS proxy or an HTTP
 * proxy's CONNECT tunnel), and through an HTTPS proxy too: proxy
 * "https://[user:password@]HOST[:PORT]" (port 443 by default, as curl)
 * gets TLS first, with a context made from proxy_tls (NULL: the
 * defaults, as nk_tls_ctx_new's) and HOST verified, then the CONNECT tunnel inside it. On success *out
 * carries bytes to and from host:port; through an HTTPS proxy it speaks
 * TLS with the proxy (nk_tls_conn_is_tls), and nk_tls_start on it makes
 * TLS inside TLS with the host. Errors: nk_connect_via's, and for the
 * HTTPS proxy nk_tls_ctx_new's and nk_tls_start's (35, 60, 90, 58, 77),
 * the message beginning "HTTPS proxy HOST:PORT: ". */
NK_API nk_err nk_tls_connect_via(const nk_tls_config *proxy_tls,
                                 const nk_netopts *o, const char *proxy,
                                 const char *noproxy, const char *host,
                                 int port, nk_time deadline, nk_conn **out,
                                 nk_connect_info *info, char *errmsg);

/* Frees the chains in info and zeroes it. NULL-safe. */
NK_API void nk_tls_info_clear(nk_tls_info *info);

/* 1 if the conn speaks TLS (nk_tls_start succeeded on it). */
NK_API int nk_tls_conn_is_tls(const nk_conn *c);

/* 1 if the peer closed the TCP connection without sending close_notify
 * first. The conn reported that as an ordinary EOF (*n = 0); a protocol
 * that frames its own data (HTTP with Content-Length) can ignore it, one
 * that does not may call the data truncated. 0 for a plain conn. */
NK_API int nk_tls_conn_unclean_eof(const nk_conn *c);

/* OpenSSL's run-time version string: "OpenSSL 3.0.11 19 Sep 2023". */
NK_API const char *nk_tls_library_version(void);

/* The verification reason of OpenSSL's X509_V_ERR_* code in plain words,
 * without certificate details: "certificate has expired". Never NULL. */
NK_API const char *nk_tls_verify_code_str(long code);

#ifdef __cplusplus
}
#endif

#endif
