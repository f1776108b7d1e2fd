/* x509: certificate facts for display, from OpenSSL's X.509 API only. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "nk/text.h"
#include "tls/x509_int.h"

/* The rule of nk/text.h under the name tls.c and the tests know. */
void
nk_x509_safe_text(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	nk_text_escape_to(dst, dstlen, src, srclen, 0);
}

int
nk_x509_time(const ASN1_TIME *t, char *buf, size_t len, int64_t *secs)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		if (len)
			buf[0] = '\0';
		*secs = 0;
		return -1;
	}
	*secs = (int64_t)timegm(&tm);
	if (len && strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		buf[0] = '\0';
	return 0;
}

void
nk_x509_name_text(const X509_NAME *name, char *out, size_t outlen)
{
	unsigned long flags = (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB &
	                       ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC;
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, flags) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0)
			nk_x509_safe_text(out, outlen, p, (size_t)n);
	}
	BIO_free(b);
}

/* "0A:1B:2C"; a leading "-" for the negative serials some old CAs wrote. */
static void
serial_text(const X509 *x, char *out, size_t outlen)
{
	const ASN1_INTEGER *ai = X509_get0_serialNumber(x);
	BIGNUM *bn = ai ? ASN1_INTEGER_to_BN(ai, NULL) : NULL;
	unsigned char bytes[64];
	size_t o = 0;
	out[0] = '\0';
	if (!bn)
		return;
	int n = BN_num_bytes(bn);
	if (n == 0) {
		snprintf(out, outlen, "00");
	} else if ((size_t)n <= sizeof bytes) {
		BN_bn2bin(bn, bytes);
		if (BN_is_negative(bn) && o + 1 < outlen)
			out[o++] = '-';
		for (int i = 0; i < n && o + 3 < outlen; i++)
			o += (size_t)snprintf(out + o, outlen - o, "%s%02X",
			                      i ? ":" : "", bytes[i]);
		out[o] = '\0';
	}
	BN_free(bn);
}

static void
key_text(const X509 *x, struct nk_x509_facts *f)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	if (!pk) {
		snprintf(f->key_type, sizeof f->key_type, "unknown");
		snprintf(f->key_desc, sizeof f->key_desc, "unknown");
		return;
	}
	int id = EVP_PKEY_get_base_id(pk);
	f->key_bits = EVP_PKEY_get_bits(pk);
	switch (id) {
	case EVP_PKEY_RSA:
		snprintf(f->key_type, sizeof f->key_type, "RSA");
		break;
	case EVP_PKEY_RSA_PSS:
		snprintf(f->key_type, sizeof f->key_type, "RSA-PSS");
		break;
	case EVP_PKEY_EC:
		snprintf(f->key_type, sizeof f->key_type, "EC");
		break;
	case EVP_PKEY_ED25519:
		snprintf(f->key_type, sizeof f->key_type, "Ed25519");
		break;
	case EVP_PKEY_ED448:
		snprintf(f->key_type, sizeof f->key_type, "Ed448");
		break;
	case EVP_PKEY_DSA:
		snprintf(f->key_type, sizeof f->key_type, "DSA");
		break;
	default: {
		const char *sn = OBJ_nid2sn(id);
		snprintf(f->key_type, sizeof f->key_type, "%s",
		         sn ? sn : "unknown");
	}
	}
	if (id == EVP_PKEY_EC) {
		/* Curves by their NIST names where they have one ("P-256"),
		 * else OpenSSL's ("brainpoolP256r1"). */
		char group[64];
		const char *show = NULL;
		if (EVP_PKEY_get_group_name(pk, group, sizeof group, NULL)) {
			int nid = OBJ_txt2nid(group);
			show = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
			if (!show)
				show = group;
		}
		snprintf(f->key_desc, sizeof f->key_desc, "EC %.40s",
		         show ? show : "unknown curve");
	} else if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
		snprintf(f->key_desc, sizeof f->key_desc, "%s", f->key_type);
	} else {
		snprintf(f->key_desc, sizeof f->key_desc, "%s %d", f->key_type,
		         f->key_bits);
	}
}

static void
hex_colons(const unsigned char *b, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 3 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%02X", i ? ":" : "",
		                      b[i]);
}

/* curl's --pinnedpubkey form: base64 of SHA-256 over the DER
 * SubjectPublicKeyInfo (RFC 7469 section 2.4). */
static int
pin_text(const X509 *x, char *out, size_t outlen)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char b64[NK_BASE64_LEN(32) + 1];
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	out[0] = '\0';
	if (len <= 0)
		return -1;
	int ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok || mdlen != 32)
		return -1;
	nk_base64(md, mdlen, b64);
	snprintf(out, outlen, "sha256//%s", b64);
	return 0;
}

static nk_err
san_list(const X509 *x, struct nk_x509_facts *f, char *errmsg)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	                                       NULL);
	if (!gens)
		return NK_OK;
	int n = sk_GENERAL_NAME_num(gens);
	if (n > 0) {
		f->san = calloc((size_t)n, sizeof *f->san);
		if (!f->san) {
			GENERAL_NAMES_free(gens);
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		struct nk_x509_san *s = &f->san[f->nsan];
		if (g->type == GEN_DNS) {
			const ASN1_STRING *a = g->d.dNSName;
			s->type = NK_SAN_DNS;
			nk_x509_safe_text(s->value, sizeof s->value,
			                  (const char *)ASN1_STRING_get0_data(a),
			                  (size_t)ASN1_STRING_length(a));
			f->nsan++;
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *a = g->d.iPAddress;
			const unsigned char *p = ASN1_STRING_get0_data(a);
			int len = ASN1_STRING_length(a);
			s->type = NK_SAN_IP;
			if (len == 4)
				inet_ntop(AF_INET, p, s->value, sizeof s->value);
			else if (len == 16)
				inet_ntop(AF_INET6, p, s->value, sizeof s->value);
			else
				hex_colons(p, (size_t)len, s->value, sizeof s->value);
			f->nsan++;
		}
	}
	GENERAL_NAMES_free(gens);
	return NK_OK;
}

nk_err
nk_x509_facts_get(const nk_x509 *cert, int64_t now, struct nk_x509_facts *f,
                  char *errmsg)
{
	X509 *x = nk_x509_ossl(cert);
	memset(f, 0, sizeof *f);
	nk_x509_name_text(X509_get_subject_name(x), f->subject, sizeof f->subject);
	nk_x509_name_text(X509_get_issuer_name(x), f->issuer, sizeof f->issuer);
	serial_text(x, f->serial, sizeof f->serial);
	nk_x509_time(X509_get0_notBefore(x), f->not_before_str,
	             sizeof f->not_before_str, &f->not_before);
	nk_x509_time(X509_get0_notAfter(x), f->not_after_str,
	             sizeof f->not_after_str, &f->not_after);
	/* Rounded down, also below zero: one second past expiry is day -1. */
	int64_t d = f->not_after - now;
	f->days_left = d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
	key_text(x, f);
	int sig = X509_get_signature_nid(x);
	const char *ln = sig != NID_undef ? OBJ_nid2ln(sig) : NULL;
	snprintf(f->sig_alg, sizeof f->sig_alg, "%s", ln ? ln : "unknown");

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen))
		hex_colons(md, mdlen, f->sha256, sizeof f->sha256);
	pin_text(x, f->pin, sizeof f->pin);
	f->self_signed = X509_self_signed(x, 1) == 1;
	f->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	nk_err e = san_list(x, f, errmsg);
	/* Nothing above is worth reporting beyond its empty field; do not
	 * leave the queue to confuse the next TLS call. */
	ERR_clear_error();
	return e;
}

void
nk_x509_facts_clear(struct nk_x509_facts *f)
{
	if (!f)
		return;
	free(f->san);
	memset(f, 0, sizeof *f);
}

int
nk_x509_covers_host(const nk_x509 *cert, const char *host)
{
	X509 *x = nk_x509_ossl(cert);
	char buf[256];
	size_t len = strlen(host);
	if (len >= sizeof buf || len == 0)
		return 0;
	if (host[0] == '[' && host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		memcpy(buf, host, len + 1);
		if (buf[len - 1] == '.')
			buf[len - 1] = '\0';
	}
	unsigned char ip[16];
	int r;
	/* OpenSSL reads a leading dot as "any subdomain of"; a host name
	 * never has one, nor an empty label. */
	if (buf[0] == '.' || strstr(buf, ".."))
		return 0;
	if (inet_pton(AF_INET, buf, ip) == 1 || inet_pton(AF_INET6, buf, ip) == 1)
		r = X509_check_ip_asc(x, buf, 0);
	else
		r = X509_check_host(x, buf, 0,
		                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		                    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
	ERR_clear_error();
	return r == 1;
}

int
nk_x509_equal(const nk_x509 *a, const nk_x509 *b)
{
	return X509_cmp(nk_x509_ossl(a), nk_x509_ossl(b)) == 0;
}

size_t
nk_x509_chain_len(const nk_x509_chain *ch)
{
	int n = ch ? sk_X509_num(nk_x509_chain_ossl(ch)) : 0;
	return n > 0 ? (size_t)n : 0;
}

const nk_x509 *
nk_x509_chain_get(const nk_x509_chain *ch, size_t i)
{
	if (i >= nk_x509_chain_len(ch))
		return NULL;
	return (const nk_x509 *)(void *)sk_X509_value(nk_x509_chain_ossl(ch),
	                                              (int)i);
}

nk_x509_chain *
nk_x509_chain_dup(const STACK_OF(X509) *sk)
{
	if (!sk || sk_X509_num(sk) <= 0)
		return NULL;
	STACK_OF(X509) *copy = X509_chain_up_ref((STACK_OF(X509) *)
	                                         (uintptr_t)sk);
	return copy ? nk_x509_chain_wrap(copy) : NULL;
}

nk_err
nk_x509_chain_load(const char *path, nk_x509_chain **out, char *errmsg)
{
	*out = NULL;
	BIO *b = BIO_new_file(path, "r");
	if (!b) {
		ERR_clear_error();
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "cannot read %s", path);
	}
	STACK_OF(X509) *sk = sk_X509_new_null();
	if (!sk) {
		BIO_free(b);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	X509 *x;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			BIO_free(b);
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	/* The loop ends on "no start line" at the end of the file. */
	ERR_clear_error();
	BIO_free(b);
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return nk_fail(errmsg, NK_ERR_READ_ERROR,
		               "no PEM certificate in %s", path);
	}
	*out = nk_x509_chain_wrap(sk);
	return NK_OK;
}

nk_err
nk_x509_chain_pem(const nk_x509_chain *ch, char **out, size_t *len,
                  char *errmsg)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	*out = NULL;
	if (len)
		*len = 0;
	if (!b)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	for (size_t i = 0; i < nk_x509_chain_len(ch); i++) {
		if (!PEM_write_bio_X509(b, nk_x509_ossl(nk_x509_chain_get(ch, i)))) {
			BIO_free(b);
			ERR_clear_error();
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	long n = BIO_get_mem_data(b, &p);
	char *s = malloc(n > 0 ? (size_t)n + 1 : 1);
	if (!s) {
		BIO_free(b);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (n > 0)
		memcpy(s, p, (size_t)n);
	s[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	*out = s;
	if (len)
		*len = n > 0 ? (size_t)n : 0;
	return NK_OK;
}

void
nk_x509_chain_free(nk_x509_chain *ch)
{
	if (ch)
		sk_X509_pop_free(nk_x509_chain_ossl(ch), X509_free);
}
