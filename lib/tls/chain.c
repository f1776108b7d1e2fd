/* tls chain: the pieces of a chain diagnosis (nk/chain.h): a
 * certificate's key identifiers, AIA "CA Issuers" URLs and signature
 * digest, the issued-by test, certificates read from what an AIA URL
 * serves, and verification of a chain the caller assembled, against a
 * context's store with the checks a handshake makes. OpenSSL parses
 * everything; this file only asks it. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "tls/tls_int.h"
#include "tls/x509_int.h"
#include "nk/chain.h"

/* Hex with colons, as OpenSSL writes a key identifier; "" if none. */
static void
keyid_text(const ASN1_OCTET_STRING *id, char *out, size_t len)
{
	out[0] = '\0';
	if (!id || ASN1_STRING_length(id) <= 0)
		return;
	char *hex = OPENSSL_buf2hexstr(ASN1_STRING_get0_data(id),
	                               ASN1_STRING_length(id));
	if (hex)
		snprintf(out, len, "%s", hex);
	OPENSSL_free(hex);
}

/* A URI worth handing to a fetcher: printable ASCII, no space, fits. */
static int
uri_usable(const ASN1_IA5STRING *s, size_t cap)
{
	int n = ASN1_STRING_length(s);
	const unsigned char *p = ASN1_STRING_get0_data(s);
	if (n <= 0 || (size_t)n >= cap)
		return 0;
	for (int i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return 0;
	return 1;
}

static void
ca_issuers(X509 *x, struct nk_chain_links *l)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL,
	                                              NULL);
	for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers ||
		    ad->location->type != GEN_URI ||
		    l->nca_issuers >= NK_CHAIN_MAX_AIA)
			continue;
		const ASN1_IA5STRING *u = ad->location->d.uniformResourceIdentifier;
		if (!uri_usable(u, sizeof l->ca_issuers[0]))
			continue;
		memcpy(l->ca_issuers[l->nca_issuers], ASN1_STRING_get0_data(u),
		       (size_t)ASN1_STRING_length(u));
		l->ca_issuers[l->nca_issuers][ASN1_STRING_length(u)] = '\0';
		l->nca_issuers++;
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

void
nk_chain_links_get(const nk_x509 *cert, struct nk_chain_links *l)
{
	X509 *x = nk_x509_ossl(cert);
	memset(l, 0, sizeof *l);
	keyid_text(X509_get0_subject_key_id(x), l->ski, sizeof l->ski);
	keyid_text(X509_get0_authority_key_id(x), l->aki, sizeof l->aki);
	ca_issuers(x, l);
	int md = NID_undef;
	if (X509_get_signature_info(x, &md, NULL, NULL, NULL) && md != NID_undef) {
		const char *sn = OBJ_nid2sn(md);
		snprintf(l->sig_hash, sizeof l->sig_hash, "%s", sn ? sn : "");
		l->sig_weak = md == NID_sha1 || md == NID_md5 || md == NID_md4 ||
		              md == NID_md2 || md == NID_md5_sha1;
	}
	ERR_clear_error();
}

int
nk_chain_issued(const nk_x509 *issuer, const nk_x509 *subject)
{
	int r = X509_check_issued(nk_x509_ossl(issuer), nk_x509_ossl(subject));
	ERR_clear_error();
	return r == X509_V_OK;
}

/* Moves the certificates of a PKCS#7 SignedData into sk. */
static int
take_pkcs7(PKCS7 *p7, STACK_OF(X509) *sk)
{
	if (!p7 || OBJ_obj2nid(p7->type) != NID_pkcs7_signed ||
	    !p7->d.sign || !p7->d.sign->cert)
		return 0;
	STACK_OF(X509) *in = p7->d.sign->cert;
	for (int i = 0; i < sk_X509_num(in); i++) {
		X509 *c = sk_X509_value(in, i);
		if (!X509_up_ref(c))
			return -1;
		if (!sk_X509_push(sk, c)) {
			X509_free(c);
			return -1;
		}
	}
	return 0;
}

/* DER first (one certificate, then PKCS#7), as AIA serves it; then PEM. */
static int
parse_into(const unsigned char *p, long n, STACK_OF(X509) *sk)
{
	const unsigned char *q = p;
	X509 *x = d2i_X509(NULL, &q, n);
	if (x)
		return sk_X509_push(sk, x) ? 0 : (X509_free(x), -1);
	q = p;
	PKCS7 *p7 = d2i_PKCS7(NULL, &q, n);
	if (p7) {
		int r = take_pkcs7(p7, sk);
		PKCS7_free(p7);
		return r;
	}
	BIO *b = BIO_new_mem_buf(p, (int)n);
	if (!b)
		return -1;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			BIO_free(b);
			return -1;
		}
	if (sk_X509_num(sk) == 0) {
		BIO_free(b);
		if (!(b = BIO_new_mem_buf(p, (int)n)))
			return -1;
		p7 = PEM_read_bio_PKCS7(b, NULL, NULL, NULL);
		int r = p7 ? take_pkcs7(p7, sk) : 0;
		PKCS7_free(p7);
		BIO_free(b);
		return r;
	}
	BIO_free(b);
	return 0;
}

nk_err
nk_chain_parse(const void *data, size_t len, nk_x509_chain **out,
               char *errmsg)
{
	*out = NULL;
	if (len == 0 || len > INT_MAX)
		return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING,
		               "no certificate in %zu bytes", len);
	STACK_OF(X509) *sk = sk_X509_new_null();
	if (!sk)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	int r = parse_into(data, (long)len, sk);
	ERR_clear_error();
	if (r < 0) {
		sk_X509_pop_free(sk, X509_free);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING,
		               "no certificate (DER, PEM or PKCS#7) in %zu bytes",
		               len);
	}
	*out = nk_x509_chain_wrap(sk);
	return NK_OK;
}

nk_err
nk_chain_join(const nk_x509_chain *a, const nk_x509_chain *b,
              nk_x509_chain **out, char *errmsg)
{
	*out = NULL;
	STACK_OF(X509) *sk = sk_X509_new_null();
	const nk_x509_chain *parts[2] = { a, b };
	for (int k = 0; sk && k < 2; k++) {
		for (size_t i = 0; i < nk_x509_chain_len(parts[k]); i++) {
			X509 *c = nk_x509_ossl(nk_x509_chain_get(parts[k], i));
			if (!X509_up_ref(c) || !sk_X509_push(sk, c)) {
				X509_free(c);
				sk_X509_pop_free(sk, X509_free);
				sk = NULL;
				break;
			}
		}
	}
	if (!sk || sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	*out = nk_x509_chain_wrap(sk);
	return NK_OK;
}

/* ---- verification ---------------------------------------------------- */

/* The first failure of a run, as the handshake's callback keeps it. */
struct first_fail {
	long code;
	int depth;
	X509 *cert;
};

/* Records the first failure and goes on, so the path is built as far as
 * it can be whatever fails: the diagnosis wants the whole path. */
static int
record_cb(int ok, X509_STORE_CTX *xs)
{
	struct first_fail *ff = X509_STORE_CTX_get_app_data(xs);
	if (!ok && ff && ff->code == 0) {
		ff->code = X509_STORE_CTX_get_error(xs);
		ff->depth = X509_STORE_CTX_get_error_depth(xs);
		X509 *cur = X509_STORE_CTX_get_current_cert(xs);
		if (cur && X509_up_ref(cur))
			ff->cert = cur;
	}
	return 1;
}

/* The checks of a handshake on xs: the server purpose, the context's
 * parameters and security level, and the name (wildcards as
 * set_server_name allows them). */
static int
set_params(X509_STORE_CTX *xs, SSL_CTX *sctx, const char *name)
{
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(xs);
	unsigned char ip[16];
	if (!X509_STORE_CTX_set_default(xs, "ssl_server") ||
	    !X509_VERIFY_PARAM_set1(param, SSL_CTX_get0_param(sctx)))
		return 0;
	X509_VERIFY_PARAM_set_auth_level(param, SSL_CTX_get_security_level(sctx));
	if (!name)
		return 1;
	X509_VERIFY_PARAM_set_hostflags(param,
	                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	                                X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (inet_pton(AF_INET, name, ip) == 1 || inet_pton(AF_INET6, name, ip) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(param, name);
	return X509_VERIFY_PARAM_set1_host(param, name, 0);
}

/* One verification into v; -1 when OpenSSL cannot set it up. */
static int
verify_once(nk_tls_ctx *ctx, STACK_OF(X509) *sk, const char *name,
            nk_chain_verdict *v)
{
	struct first_fail ff = { 0, 0, NULL };
	X509_STORE_CTX *xs = X509_STORE_CTX_new();
	if (!xs || !X509_STORE_CTX_init(xs, SSL_CTX_get_cert_store(ctx->ssl),
	                                sk_X509_value(sk, 0), sk) ||
	    !set_params(xs, ctx->ssl, name)) {
		X509_STORE_CTX_free(xs);
		return -1;
	}
	X509_STORE_CTX_set_app_data(xs, &ff);
	X509_STORE_CTX_set_verify_cb(xs, record_cb);
	int ok = X509_verify_cert(xs);
	if (ok > 0 && ff.code == 0) {
		v->ok = 1;
		v->depth = -1;
	} else {
		v->ok = 0;
		v->code = ff.code ? ff.code : X509_STORE_CTX_get_error(xs);
		v->depth = ff.code ? ff.depth : X509_STORE_CTX_get_error_depth(xs);
		nk_tls_verify_reason(v->code, v->depth, ff.cert, v->reason,
		                     sizeof v->reason);
	}
	STACK_OF(X509) *path = X509_STORE_CTX_get1_chain(xs);
	v->path = nk_x509_chain_dup(path);
	sk_X509_pop_free(path, X509_free);
	X509_free(ff.cert);
	X509_STORE_CTX_free(xs);
	return 0;
}

nk_err
nk_chain_verify(nk_tls_ctx *ctx, const nk_x509_chain *certs,
                const char *name, nk_chain_verdict *v, char *errmsg)
{
	memset(v, 0, sizeof *v);
	v->depth = -1;
	STACK_OF(X509) *sk = nk_x509_chain_ossl(certs);
	if (!ctx || !sk || sk_X509_num(sk) == 0)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "no certificate to verify");
	int r = verify_once(ctx, sk, name, v);
	/* As a handshake does: the system bundle only when the directory
	 * lacked an issuer. */
	if (r == 0 && !v->ok && nk_tls_trust_issuer_missing(v->code) &&
	    nk_tls_trust_read_fallback(ctx)) {
		nk_chain_verdict_clear(v);
		r = verify_once(ctx, sk, name, v);
	}
	ERR_clear_error();
	if (r < 0)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY,
		               "cannot set up verification");
	return NK_OK;
}

void
nk_chain_verdict_clear(nk_chain_verdict *v)
{
	if (!v)
		return;
	nk_x509_chain_free(v->path);
	memset(v, 0, sizeof *v);
}
