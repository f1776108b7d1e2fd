/* tls info: the facts of a handshake, into the caller's nk_tls_info:
 * version, cipher, group and ALPN; what verification found, with the
 * chains; whether the server asked for a client certificate; the stapled
 * OCSP response. Out of memory loses a fact (a chain, a name), never the
 * handshake. The strings are made safe for a terminal here, once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>

#include "tls/tls_int.h"
#include "tls/x509_int.h"

/* OpenSSL calls this on a client only when the server sent a
 * CertificateRequest, whether or not there is a certificate to give: the
 * one place that tells a request happened, also when the handshake then
 * fails for the want of a certificate. */
int
nk_tls_cert_cb(SSL *ssl, void *arg)
{
	struct tls_conn *t = SSL_get_app_data(ssl);
	(void)arg;
	if (t)
		t->cert_req = 1;
	return 1;
}

nk_tls_info *
nk_tls_info_begin(nk_tls_info *info, nk_tls_info *spare)
{
	if (!info)
		info = spare;
	memset(info, 0, sizeof *info);
	info->verify_depth = -1;
	return info;
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
	free(info->scts);
	memset(info, 0, sizeof *info);
	info->verify_depth = -1;
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

void
nk_tls_time_str(const ASN1_TIME *t, char *out, size_t len)
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
	nk_tls_time_str(thisupd, info->ocsp_this_update,
	                sizeof info->ocsp_this_update);
	nk_tls_time_str(nextupd, info->ocsp_next_update,
	                sizeof info->ocsp_next_update);
	if (status == V_OCSP_CERTSTATUS_GOOD) {
		info->ocsp = NK_OCSP_GOOD;
	} else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		info->ocsp = NK_OCSP_REVOKED;
		nk_tls_time_str(rev, info->ocsp_revoked_at,
		                sizeof info->ocsp_revoked_at);
	} else {
		info->ocsp = NK_OCSP_UNKNOWN;
	}
done:
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
}

void
nk_tls_info_verify(struct tls_conn *t, int handshake_done, int chains,
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
		nk_tls_verify_reason(code, t->vdepth, t->vcert, info->verify_reason,
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

/* Out of memory loses names, not the request. */
void
nk_tls_info_cert_request(struct tls_conn *t, nk_tls_info *info)
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

void
nk_tls_info_session(struct tls_conn *t, nk_tls_info *info)
{
	fill_session(t, info);
}

void
nk_tls_info_collect(struct tls_conn *t, int chains, nk_tls_info *info)
{
	fill_session(t, info);
	nk_tls_info_verify(t, 1, chains, info);
	nk_tls_info_cert_request(t, info);
}

/* A revoked staple overrides a verification that passed, in the words
 * of one that failed (the handshake itself cannot know). */
void
nk_tls_info_staple(nk_tls_ctx *ctx, struct tls_conn *t, nk_tls_info *info)
{
	check_staple(ctx, t->ssl, SSL_get_peer_cert_chain(t->ssl),
	             SSL_get0_verified_chain(t->ssl), info);
	if (info->ocsp != NK_OCSP_REVOKED || !info->verify_ok)
		return;
	info->verify_ok = 0;
	info->verify_code = X509_V_ERR_CERT_REVOKED;
	info->verify_depth = 0;
	snprintf(info->verify_openssl, sizeof info->verify_openssl, "%s",
	         X509_verify_cert_error_string(X509_V_ERR_CERT_REVOKED));
	snprintf(info->verify_reason, sizeof info->verify_reason,
	         "certificate is revoked (OCSP: revoked on %s)",
	         info->ocsp_revoked_at[0] ? info->ocsp_revoked_at
	                                  : "an unknown date");
}
