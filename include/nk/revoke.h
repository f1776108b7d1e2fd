/* libnk revoke: is a certificate revoked? OCSP (RFC 6960) and CRLs
 * (RFC 5280), built and checked with OpenSSL; the caller moves the bytes
 * (nk tls fetches them over http with nk_fetch), so nothing here touches
 * the network and nothing blocks.
 *
 * The certificates are borrowed from chains (nk_x509.h); what a function
 * returns in an out parameter is the caller's. Text is terminal-safe. */
#ifndef NK_REVOKE_H
#define NK_REVOKE_H

#include <stddef.h>

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/tls.h"
#include "nk/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a responder or a CRL says about one certificate. status uses the
 * stapling enum of nk_tls.h: NK_OCSP_GOOD (a CRL that does not list it),
 * NK_OCSP_REVOKED, NK_OCSP_UNKNOWN (an OCSP responder that does not know
 * it) or NK_OCSP_INVALID (an answer that cannot be trusted: `why` says
 * why). Times are "2024-01-01 00:00:00 UTC", "" when absent. */
typedef struct nk_revocation {
	nk_ocsp_status status;
	char this_update[32];
	char next_update[32];
	char revoked_at[32];
	char reason[32];          /* RFC 5280 reason: "keyCompromise",
	                           * "superseded"; "" when none given */
	char why[NK_ERR_MSG_LEN]; /* NK_OCSP_INVALID: in plain words */
} nk_revocation;

/* The first http:// URL of cert's OCSP responders (Authority Information
 * Access) or of its CRL distribution points, into url (size len).
 * Returns 1 when found, 0 when the certificate names none (or only
 * other schemes, or one longer than len). */
NK_API int nk_x509_ocsp_url(const nk_x509 *cert, char *url, size_t len);
NK_API int nk_x509_crl_url(const nk_x509 *cert, char *url, size_t len);

/* A DER OCSP request about leaf, issued by issuer (SHA-1 certificate ID,
 * as responders expect, and a fresh nonce), into a malloc'd buffer the
 * caller frees with free(). Errors: NK_ERR_OUT_OF_MEMORY,
 * NK_ERR_BAD_FUNCTION_ARGUMENT (no leaf or issuer). */
NK_API nk_err nk_ocsp_request(const nk_x509 *leaf, const nk_x509 *issuer,
                              unsigned char **der, size_t *len,
                              char *errmsg);

/* Reads the DER OCSP response resp (to the request req, whose nonce it
 * must echo if it carries one) about leaf into *out: the responder's
 * signature must verify to ctx's trust store (the issuer itself or a
 * delegate it certified for OCSP signing; untrusted may hold the
 * intermediates, or be NULL), and thisUpdate/nextUpdate must include
 * now, five minutes of clock skew allowed. Never fails: a response that
 * does not pass is NK_OCSP_INVALID with the reason in out->why. */
NK_API void nk_ocsp_check(nk_tls_ctx *ctx, const nk_x509 *leaf,
                          const nk_x509 *issuer,
                          const nk_x509_chain *untrusted,
                          const unsigned char *req, size_t reqlen,
                          const unsigned char *resp, size_t resplen,
                          nk_revocation *out);

/* Reads a CRL (DER or PEM) and says whether it lists leaf: the CRL must
 * be issued by issuer (same name) and signed with issuer's key, and not
 * be past its nextUpdate (five minutes of skew) at `now` (seconds since
 * the epoch). Never fails: a CRL that does not pass is NK_OCSP_INVALID
 * with out->why. */
NK_API void nk_crl_check(const nk_x509 *leaf, const nk_x509 *issuer,
                         const unsigned char *crl, size_t len, int64_t now,
                         nk_revocation *out);

#ifdef __cplusplus
}
#endif

#endif
