/* libnk chain: what it takes to diagnose a certificate chain a server
 * sends: the identifiers that link a certificate to its issuer (key
 * identifiers, the AIA "CA Issuers" URLs), the signature's digest, whether
 * one certificate issued another, certificates read from what an AIA URL
 * returns (DER, PEM or PKCS#7), and verification of a chain put together
 * by the caller against a TLS context's trust store.
 *
 * Everything comes from OpenSSL's X.509 and PKCS#7 parsers; nothing here
 * touches the network (the caller fetches the bytes) and nothing blocks.
 * Text is terminal-safe, as in nk/x509.h. */
#ifndef NK_CHAIN_H
#define NK_CHAIN_H

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/tls.h"
#include "nk/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NK_CHAIN_MAX_AIA 4

/* The links of one certificate to its issuer. Fixed size: nothing to
 * free. */
struct nk_chain_links {
	char ski[100];           /* subject key identifier, hex with colons
	                          * ("1A:2B:..."); "" when absent */
	char aki[100];           /* authority key identifier's keyIdentifier,
	                          * same form; "" when absent */
	size_t nca_issuers;      /* AIA "CA Issuers" URIs, in certificate
	                          * order; only those of printable ASCII
	                          * without spaces that fit, at most
	                          * NK_CHAIN_MAX_AIA */
	char ca_issuers[NK_CHAIN_MAX_AIA][512];
	char sig_hash[16];       /* the signature's digest: "SHA1", "MD5",
	                          * "SHA256", ...; "" when the algorithm has
	                          * none of its own (Ed25519) or is unknown */
	int sig_weak;            /* that digest is MD2, MD4, MD5 or SHA-1 */
};

/* Fills *l from cert's extensions and signature algorithm. Never fails:
 * what a certificate lacks stays "" or 0. */
NK_API void nk_chain_links_get(const nk_x509 *cert, struct nk_chain_links *l);

/* 1 if issuer's subject name is subject's issuer name, their key
 * identifiers do not contradict each other, and issuer may sign
 * certificates (its key usage allows it): the test OpenSSL uses to build a
 * path. The signature is not checked here. 0 otherwise. */
NK_API int nk_chain_issued(const nk_x509 *issuer, const nk_x509 *subject);

/* Reads certificates from len bytes as an AIA URL serves them: one DER
 * certificate (application/pkix-cert), a DER or PEM PKCS#7 "certs-only"
 * bundle (application/pkcs7-mime), or PEM certificates. *out is a new
 * chain in the order found (free with nk_x509_chain_free).
 * Errors: NK_ERR_BAD_CONTENT_ENCODING (none of these, or no certificate
 * in it), NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_chain_parse(const void *data, size_t len,
                             nk_x509_chain **out, char *errmsg);

/* A new chain with a's certificates then b's (either may be NULL); each
 * holds its own reference. Free with nk_x509_chain_free.
 * Errors: NK_ERR_OUT_OF_MEMORY (also for two empty chains: *out would be
 * NULL, which is no chain). */
NK_API nk_err nk_chain_join(const nk_x509_chain *a, const nk_x509_chain *b,
                            nk_x509_chain **out, char *errmsg);

/* What nk_chain_verify found, as nk_tls_info reports a handshake's. */
typedef struct nk_chain_verdict {
	int ok;                  /* verified for the name */
	long code;               /* OpenSSL's X509_V_ERR_* of the first
	                          * failure; 0 when verified */
	int depth;               /* its place in the path; -1 when verified */
	char reason[NK_ERR_MSG_LEN]; /* in plain words, as verify_reason */
	nk_x509_chain *path;     /* the path built from the leaf towards a
	                          * trust anchor, as far as it got; owned,
	                          * freed by nk_chain_verdict_clear */
} nk_chain_verdict;

/* Verifies certs (the leaf first, then any certificates that may help,
 * in any order) for a TLS server called name (a host name or an IP
 * literal; NULL: no name check) against ctx's trust store, with the
 * checks nk_tls_start makes: purpose, security level, and the name as
 * nk_x509_covers_host checks it. The system store's bundle is read as
 * nk_tls_start would read it. *v is overwritten; release it with
 * nk_chain_verdict_clear, also after a failure.
 * Errors: NK_ERR_BAD_FUNCTION_ARGUMENT (no certificate),
 * NK_ERR_OUT_OF_MEMORY. A chain that does not verify is no error: v says
 * so. */
NK_API nk_err nk_chain_verify(nk_tls_ctx *ctx, const nk_x509_chain *certs,
                              const char *name, nk_chain_verdict *v,
                              char *errmsg);

/* Frees v's path and zeroes *v. NULL-safe. */
NK_API void nk_chain_verdict_clear(nk_chain_verdict *v);

#ifdef __cplusplus
}
#endif

#endif
