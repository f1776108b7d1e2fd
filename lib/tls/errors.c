/* tls errors: OpenSSL's error queue in words, for the messages of the
 * context, the handshake and the conn operations. Nothing here clears the
 * queue: the caller still decides, from what is in it, what to say. */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls_int.h"

/* OpenSSL's error texts. Loading them fills OpenSSL's tables with some
 * 2,500 strings and 127 strerror() texts: 1.0 million instructions, 5 %
 * of a small https GET (docs/BENCHMARKS.md), for words nk shows only when
 * something failed. So they are loaded at the first failure that needs
 * them. OpenSSL 3.0 has no public call that loads them once its start-up
 * was told not to (the ERR_load_*_strings it kept, deprecated, miss the
 * providers' and decoders' texts), only these two, which a tool linked
 * against the static libraries reaches and a shared libcrypto does not
 * export: where they are missing (libnk.so, STATIC_DEPS=0), OpenSSL is
 * shared with whatever else the program uses it for, and the texts are
 * loaded at start-up as before. */
extern int ossl_err_load_crypto_strings(void) __attribute__((weak));
extern int ossl_err_load_SSL_strings(void) __attribute__((weak));

int
nk_tls_ossl_linked_in(void)
{
	return ossl_err_load_crypto_strings && ossl_err_load_SSL_strings;
}

static void
load_texts(void)
{
	/* Each loads only what is not there yet. */
	ossl_err_load_crypto_strings();
	ossl_err_load_SSL_strings();
}

void
nk_tls_texts(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (nk_tls_ossl_linked_in())
		pthread_once(&once, load_texts);
}

const char *
nk_tls_ossl_reason(const char *fallback)
{
	nk_tls_texts();
	/* A file OpenSSL could not open leaves errno first, under a last
	 * error that only says "system lib". */
	unsigned long first = ERR_peek_error();
	if (first && ERR_SYSTEM_ERROR(first))
		return strerror(ERR_GET_REASON(first));
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : fallback;
}

int
nk_tls_unexpected_eof(void)
{
	unsigned long e = ERR_peek_last_error();
	return e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	       ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}
