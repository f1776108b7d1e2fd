/* Unit tests of when OpenSSL's error texts are loaded (lib/tls/errors.c):
 * not at start-up, where the static libraries let libnk load them later,
 * and in full at the first failure put in words. Linked, as the tools are,
 * against the static OpenSSL (the Makefile says so for this test); with a
 * shared libcrypto they are loaded at start-up, and only the words are
 * checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/proverr.h>
#include <openssl/ssl.h>

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
	int lazy = (nk_tls_texts_init_flags() &
	            OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS) != 0;
	if (lazy) {
		assert_null(ERR_reason_error_string(
			ssl_error(SSL_R_WRONG_VERSION_NUMBER)));
		assert_null(ERR_reason_error_string(
			ERR_PACK(ERR_LIB_PROV, 0, PROV_R_BAD_DECRYPT)));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts_loaded_at_first_failure),
		cmocka_unit_test(test_bad_ca_file_in_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
