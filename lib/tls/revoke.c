/* tls revoke: OCSP requests and responses, CRLs, and the URLs a
 * certificate names for them (nk/revoke.h). OpenSSL parses and verifies
 * everything; this file decides what counts as an answer and says so in
 * words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "nk/revoke.h"
#include "core/internal.h"
#include "tls/tls_int.h"
#include "tls/x509_int.h"

/* ---- URLs ------------------------------------------------------------ */

/* Only http: an https responder would need a verified connection whose
 * own revocation nobody could check, which is why RFC 5280 and the CA/B
 * Forum rules publish these over plain http. */
static int
take_http(const char *s, size_t slen, char *url, size_t len)
{
	if (slen < 7 || slen >= len || strncasecmp(s, "http://", 7) != 0 ||
	    memchr(s, '\0', slen))
		return 0;
	for (size_t i = 0; i < slen; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;   /* no control bytes, spaces or CR/LF on the wire */
	memcpy(url, s, slen);
	url[slen] = '\0';
	return 1;
}

int
nk_x509_ocsp_url(const nk_x509 *cert, char *url, size_t len)
{
	if (!cert || !url || len == 0)
		return 0;
	STACK_OF(OPENSSL_STRING) *sk = X509_get1_ocsp(nk_x509_ossl(cert));
	int found = 0;
	for (int i = 0; !found && i < sk_OPENSSL_STRING_num(sk); i++) {
		const char *s = sk_OPENSSL_STRING_value(sk, i);
		found = take_http(s, strlen(s), url, len);
	}
	X509_email_free(sk);
	ERR_clear_error();
	return found;
}

static int
names_url(const GENERAL_NAMES *names, char *url, size_t len)
{
	for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, j);
		if (g->type != GEN_URI)
			continue;
		const ASN1_IA5STRING *u = g->d.uniformResourceIdentifier;
		if (take_http((const char *)ASN1_STRING_get0_data(u),
		              (size_t)ASN1_STRING_length(u), url, len))
			return 1;
	}
	return 0;
}

int
nk_x509_crl_url(const nk_x509 *cert, char *url, size_t len)
{
	if (!cert || !url || len == 0)
		return 0;
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(nk_x509_ossl(cert),
	                            NID_crl_distribution_points, NULL, NULL);
	int found = 0;
	for (int i = 0; !found && i < sk_DIST_POINT_num(dps); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		/* A relative name or a partial (reasons-only) point is not a
		 * CRL for everything this certificate could be revoked for. */
		if (dp->distpoint && dp->distpoint->type == 0 && !dp->reasons)
			found = names_url(dp->distpoint->name.fullname, url, len);
	}
	CRL_DIST_POINTS_free(dps);
	ERR_clear_error();
	return found;
}

/* ---- OCSP ------------------------------------------------------------ */

nk_err
nk_ocsp_request(const nk_x509 *leaf, const nk_x509 *issuer,
                unsigned char **der, size_t *len, char *errmsg)
{
	*der = NULL;
	*len = 0;
	if (!leaf || !issuer)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "an OCSP request needs the certificate's issuer");
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), nk_x509_ossl(leaf),
	                                  nk_x509_ossl(issuer));
	int n = -1;
	if (req && id && OCSP_request_add0_id(req, id)) {
		id = NULL;   /* the request owns it now */
		if (OCSP_request_add1_nonce(req, NULL, -1))
			n = i2d_OCSP_REQUEST(req, der);
	}
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(req);
	ERR_clear_error();
	if (n <= 0) {
		*der = NULL;
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY,
		               "cannot build the OCSP request");
	}
	/* i2d allocated with OPENSSL_malloc; the caller frees with free(). */
	unsigned char *copy = malloc((size_t)n);
	if (copy)
		memcpy(copy, *der, (size_t)n);
	OPENSSL_free(*der);
	*der = copy;
	if (!copy)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	*len = (size_t)n;
	return NK_OK;
}

static void
invalid(nk_revocation *out, const char *why)
{
	out->status = NK_OCSP_INVALID;
	snprintf(out->why, sizeof out->why, "%s", why);
}

static void
reason_name(int reason, nk_revocation *out)
{
	if (reason >= 0)
		snprintf(out->reason, sizeof out->reason, "%s",
		         OCSP_crl_reason_str(reason));
}

/* The nonce: echoed, absent, or (only this fails) different. */
static int
nonce_ok(const unsigned char *req, size_t reqlen, OCSP_BASICRESP *bs)
{
	if (!req)
		return 1;
	const unsigned char *p = req;
	OCSP_REQUEST *r = d2i_OCSP_REQUEST(NULL, &p, (long)reqlen);
	int ok = !r || OCSP_check_nonce(r, bs) != 0;
	OCSP_REQUEST_free(r);
	return ok;
}

static void
ocsp_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer,
            X509_STORE *store, STACK_OF(X509) *untrusted,
            nk_revocation *out)
{
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, issuer);
	int status, reason = -1;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	if (!id || !OCSP_resp_find_status(bs, id, &status, &reason, &rev,
	                                  &thisupd, &nextupd)) {
		invalid(out, "the response is not about this certificate");
		goto done;
	}
	nk_tls_time_str(thisupd, out->this_update, sizeof out->this_update);
	nk_tls_time_str(nextupd, out->next_update, sizeof out->next_update);
	/* The issuer is passed as untrusted too: a responder that signs
	 * with the issuer's own key often sends no certificate at all. */
	STACK_OF(X509) *certs = untrusted ? sk_X509_dup(untrusted)
	                                  : sk_X509_new_null();
	if (certs)
		sk_X509_push(certs, issuer);
	int v = certs ? OCSP_basic_verify(bs, certs, store, 0) : -1;
	sk_X509_free(certs);
	if (v <= 0) {
		char buf[160];
		unsigned long e = ERR_peek_last_error();
		nk_tls_texts();
		ERR_error_string_n(e, buf, sizeof buf);
		snprintf(out->why, sizeof out->why, "the response's signature "
		         "does not verify (%s)", e ? buf : "no signer found");
		out->status = NK_OCSP_INVALID;
		goto done;
	}
	if (!OCSP_check_validity(thisupd, nextupd, 300, -1)) {
		invalid(out, "the response is not current (thisUpdate in the "
		        "future or nextUpdate past)");
		goto done;
	}
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		out->status = NK_OCSP_GOOD;
	} else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		out->status = NK_OCSP_REVOKED;
		nk_tls_time_str(rev, out->revoked_at, sizeof out->revoked_at);
		reason_name(reason, out);
	} else {
		out->status = NK_OCSP_UNKNOWN;
	}
done:
	OCSP_CERTID_free(id);
}

void
nk_ocsp_check(nk_tls_ctx *ctx, const nk_x509 *leaf, const nk_x509 *issuer,
              const nk_x509_chain *untrusted, const unsigned char *req,
              size_t reqlen, const unsigned char *resp, size_t resplen,
              nk_revocation *out)
{
	memset(out, 0, sizeof *out);
	const unsigned char *p = resp;
	OCSP_RESPONSE *r = resp ? d2i_OCSP_RESPONSE(NULL, &p, (long)resplen)
	                        : NULL;
	OCSP_BASICRESP *bs = NULL;
	if (!ctx || !leaf || !issuer) {
		invalid(out, "no issuer to check the response against");
	} else if (!r || p != resp + resplen) {
		invalid(out, "the response is not a DER OCSP response");
	} else if (OCSP_response_status(r) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(out->why, sizeof out->why, "the responder answered %s",
		         OCSP_response_status_str(OCSP_response_status(r)));
		out->status = NK_OCSP_INVALID;
	} else if (!(bs = OCSP_response_get1_basic(r))) {
		invalid(out, "the response is not a basic OCSP response");
	} else if (!nonce_ok(req, reqlen, bs)) {
		invalid(out, "the response's nonce is not the request's "
		        "(a replayed answer)");
	} else {
		ocsp_single(bs, nk_x509_ossl(leaf), nk_x509_ossl(issuer),
		            SSL_CTX_get_cert_store(ctx->ssl),
		            untrusted ? nk_x509_chain_ossl(untrusted) : NULL, out);
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(r);
	ERR_clear_error();
}

/* ---- CRL ------------------------------------------------------------- */

static X509_CRL *
crl_parse(const unsigned char *crl, size_t len)
{
	const unsigned char *p = crl;
	X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
	if (c)
		return c;
	BIO *b = BIO_new_mem_buf(crl, (int)len);
	c = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return c;
}

/* The time t is before now minus the skew. */
static int
past(const ASN1_TIME *t, int64_t now)
{
	time_t when = (time_t)(now - 300);
	return X509_cmp_time(t, &when) < 0;
}

static void
crl_lookup(X509_CRL *c, X509 *leaf, nk_revocation *out)
{
	X509_REVOKED *rev = NULL;
	if (X509_CRL_get0_by_cert(c, &rev, leaf) != 1 || !rev) {
		out->status = NK_OCSP_GOOD;
		return;
	}
	out->status = NK_OCSP_REVOKED;
	nk_tls_time_str(X509_REVOKED_get0_revocationDate(rev), out->revoked_at,
	        sizeof out->revoked_at);
	ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL,
	                                              NULL);
	if (e)
		reason_name((int)ASN1_ENUMERATED_get(e), out);
	ASN1_ENUMERATED_free(e);
}

void
nk_crl_check(const nk_x509 *leaf, const nk_x509 *issuer,
             const unsigned char *crl, size_t len, int64_t now,
             nk_revocation *out)
{
	memset(out, 0, sizeof *out);
	if (!leaf || !issuer || !crl) {
		invalid(out, "no issuer to check the CRL against");
		return;
	}
	X509 *lx = nk_x509_ossl(leaf), *ix = nk_x509_ossl(issuer);
	X509_CRL *c = len <= 0x7fffffff ? crl_parse(crl, len) : NULL;
	if (!c) {
		invalid(out, "not a CRL (DER or PEM)");
		goto done;
	}
	nk_tls_time_str(X509_CRL_get0_lastUpdate(c), out->this_update,
	        sizeof out->this_update);
	nk_tls_time_str(X509_CRL_get0_nextUpdate(c), out->next_update,
	        sizeof out->next_update);
	EVP_PKEY *key = X509_get0_pubkey(ix);
	if (X509_NAME_cmp(X509_CRL_get_issuer(c), X509_get_subject_name(ix)))
		invalid(out, "the CRL is not issued by the certificate's issuer");
	else if (!key || X509_CRL_verify(c, key) <= 0)
		invalid(out, "the CRL's signature does not verify with the "
		        "issuer's key");
	else if (X509_CRL_get0_nextUpdate(c) &&
	         past(X509_CRL_get0_nextUpdate(c), now))
		invalid(out, "the CRL is out of date (past its nextUpdate)");
	else
		crl_lookup(c, lx, out);
done:
	X509_CRL_free(c);
	ERR_clear_error();
}
