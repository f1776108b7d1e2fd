/* Unit tests of what libnk's start of OpenSSL leaves for later where
 * OpenSSL is linked in (lib/tls/errors.c, pemkey.c): the error texts,
 * loaded in full at the first failure put in words, and the legacy table
 * of cipher names, which a traditional encrypted PEM key still finds its
 * cipher in. Linked, as the tools are, against the static OpenSSL (the
 * Makefile says so for this test); with a shared libcrypto both are
 * loaded at start-up, and only what works is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/proverr.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "nk/tls.h"
#include "tls/tls_int.h"

static unsigned long
ssl_error(int reason)
{
	return ERR_PACK(ERR_LIB_SSL, 0, reason);
}

/* In one test, in this order: what start-up left unloaded is only seen
 * before anything failed. */
static void
test_texts_loaded_at_first_failure(void **state)
{
	(void)state;
	nk_tls_ctx *ctx = NULL;
	char errmsg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_tls_ctx_new(NULL, &ctx, errmsg), NK_OK);
	if (nk_tls_ossl_linked_in()) {
		assert_null(ERR_reason_error_string(
			ssl_error(SSL_R_WRONG_VERSION_NUMBER)));
		assert_null(ERR_reason_error_string(
			ERR_PACK(ERR_LIB_PROV, 0, PROV_R_BAD_DECRYPT)));
		assert_null(EVP_get_cipherbyname("AES-256-CBC"));
	}
	/* A failure of libssl's, worded: every library's texts come. */
	ERR_clear_error();
	ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
	assert_string_equal(nk_tls_ossl_reason("none"), "wrong version number");
	ERR_clear_error();
	assert_string_equal(ERR_reason_error_string(
		ERR_PACK(ERR_LIB_PROV, 0, PROV_R_BAD_DECRYPT)), "bad decrypt");
	assert_string_equal(ERR_reason_error_string(
		ERR_PACK(ERR_LIB_PEM, 0, PEM_R_NO_START_LINE)), "no start line");
	nk_tls_ctx_free(ctx);
}

/* A context that fails for a file of no certificates says OpenSSL's
 * words, whichever way the texts were loaded. */
static void
test_bad_ca_file_in_words(void **state)
{
	(void)state;
	char path[] = "/tmp/nk-test-texts-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("not a certificate\n", f);
	fclose(f);
	nk_tls_config cfg = { .cafile = path };
	nk_tls_ctx *ctx = NULL;
	char errmsg[NK_ERR_MSG_LEN] = "", want[NK_ERR_MSG_LEN];
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, errmsg),
	                 NK_ERR_SSL_CACERT_BADFILE);
	snprintf(want, sizeof want, "cannot use CA file %s: no certificate or "
	         "crl found", path);
	assert_string_equal(errmsg, want);
	assert_null(ctx);
	remove(path);
}

static char dir[] = "/tmp/nk-test-tlsstart-XXXXXX";
static char cert[64], aes[64], des3[64];

/* A P-256 key with a self-signed certificate for it, the key written
 * in traditional PEM under AES-256-CBC and under DES-EDE3-CBC (DEK-Info),
 * with the password "pw". (PKCS#8 keys name their cipher by OID, which
 * the providers know: tests/cli/http_hproxy.bats reads one.) */
static void
write_key_files(void)
{
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(aes, sizeof aes, "%s/aes.pem", dir);
	snprintf(des3, sizeof des3, "%s/des3.pem", dir);
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	assert_non_null(k);
	assert_non_null(x);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"nk.test", -1, -1, 0);
	X509_set_issuer_name(x, n);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	BIO *b = BIO_new_file(cert, "w");
	assert_true(PEM_write_bio_X509(b, x));
	BIO_free(b);
	b = BIO_new_file(aes, "w");
	assert_true(PEM_write_bio_PrivateKey_traditional(b, k,
		EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"pw"));
	BIO_free(b);
	b = BIO_new_file(des3, "w");
	assert_true(PEM_write_bio_PrivateKey_traditional(b, k,
		EVP_des_ede3_cbc(), NULL, 0, NULL, (void *)"pw"));
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}

static nk_err
load_key(const char *key, const char *password, char *errmsg)
{
	nk_tls_config cfg = { .cert = cert, .key = key,
	                      .key_password = password };
	nk_tls_ctx *ctx = NULL;
	nk_err e = nk_tls_ctx_new(&cfg, &ctx, errmsg);
	nk_tls_ctx_free(ctx);
	return e;
}

/* After the texts test: the keys are written with OpenSSL, which must
 * not be the first to start it. */
static void
test_encrypted_pem_keys(void **state)
{
	(void)state;
	char errmsg[NK_ERR_MSG_LEN] = "", want[NK_ERR_MSG_LEN];
	write_key_files();
	const char *keys[] = { aes, des3 };
	for (size_t i = 0; i < 2; i++) {
		errmsg[0] = '\0';
		assert_int_equal(load_key(keys[i], "pw", errmsg), NK_OK);
		assert_string_equal(errmsg, "");
		assert_int_equal(load_key(keys[i], "wrong", errmsg),
		                 NK_ERR_SSL_CERTPROBLEM);
		snprintf(want, sizeof want, "cannot use client key %s: ",
		         keys[i]);
		assert_int_equal(strncmp(errmsg, want, strlen(want)), 0);
	}
	/* The DEK-Info cipher, now in the table under its name. */
	assert_non_null(EVP_get_cipherbyname("AES-256-CBC"));
	assert_non_null(EVP_get_cipherbyname("DES-EDE3-CBC"));
	unlink(cert);
	unlink(aes);
	unlink(des3);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts_loaded_at_first_failure),
		cmocka_unit_test(test_bad_ca_file_in_words),
		cmocka_unit_test(test_encrypted_pem_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
